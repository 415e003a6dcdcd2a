import { attrs, escapeHtml, html, raw } from './html';

describe('html', () => {
  it('escapes every interpolated value that is not already Html', () => {
    const name = `<script>alert("x")</script> & 'y'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('keeps nested fragments and raw() as they are, joins arrays and skips false, null and undefined', () => {
    const items = ['a<', 'b'].map((i) => html`<li>${i}</li>`);
    expect(html`<ul>${items}</ul>${false}${null}${undefined}${0}${raw('<br>')}`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>0<br>');
  });

  it('renders attributes: bare when true, left out when false or empty, escaped otherwise', () => {
    expect(attrs({ required: true, disabled: false, title: undefined, value: `"><img src=x onerror=alert(1)>`, maxlength: 6 }).value).toBe(
      ' required value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" maxlength="6"',
    );
    expect(() => attrs({ 'onclick="x"': 'y' })).toThrow('invalid attribute name');
  });
});
