import {
  DEFAULT_MAIL_TEMPLATES,
  MAIL_LOCALES,
  MAIL_TEMPLATE_KEYS,
  MailRenderError,
  MailTemplateKey,
  MailVars,
  renderMail,
  resolveMailLocale,
  templateVariables,
  validateTemplateOverrides,
} from './mail.templates';

const common = { tenantName: 'Acme', email: 'alice@example.com' };
const VARS: { [K in MailTemplateKey]: MailVars<K> } = {
  'verify-email': { ...common, code: '204981', link: 'https://id.acme.test/verify?t=abc', expiresInMinutes: 60 },
  'reset-password': { ...common, link: 'https://id.acme.test/reset?t=abc', expiresInMinutes: 30 },
  'sign-in-code': { ...common, code: '482913', expiresInMinutes: 10 },
  'mfa-code': { ...common, code: '771204', expiresInMinutes: 5 },
  'email-change': { ...common, code: '660231', link: 'https://id.acme.test/email?t=abc', expiresInMinutes: 60 },
  'password-changed': { ...common },
  'account-locked': { ...common, expiresInMinutes: 15 },
};

describe('renderMail', () => {
  describe.each(MAIL_TEMPLATE_KEYS.flatMap((key) => MAIL_LOCALES.map((locale) => [key, locale] as const)))('default %s in %s', (key, locale) => {
    const mail = renderMail(key, locale, VARS[key] as MailVars<typeof key>);

    it('fills every variable of the template into text and html, leaving no placeholder', () => {
      for (const name of templateVariables(key)) {
        const value = String((VARS[key] as Record<string, unknown>)[name]);
        expect(mail.text).toContain(value);
        expect(mail.html).toContain(value);
      }
      expect(mail.subject).toContain('Acme');
      expect(`${mail.subject}${mail.text}${mail.html}`).not.toMatch(/\{\{|\}\}/);
    });

    it('is a complete HTML document in the right language', () => {
      expect(mail.html).toMatch(/^<!DOCTYPE html>/);
      expect(mail.html).toContain(`<html lang="${locale}">`);
    });
  });

  it('speaks German in de and English in en', () => {
    expect(renderMail('reset-password', 'de', VARS['reset-password']).subject).toBe('Ihr Passwort für Acme zurücksetzen');
    expect(renderMail('reset-password', 'de', VARS['reset-password']).text).toContain('Der Link ist 30 Minuten lang gültig.');
    expect(renderMail('reset-password', 'en', VARS['reset-password']).subject).toBe('Reset your Acme password');
  });

  it('puts the link into an anchor in the html part', () => {
    const mail = renderMail('verify-email', 'en', VARS['verify-email']);
    expect(mail.html).toContain('<a href="https://id.acme.test/verify?t=abc">https://id.acme.test/verify?t=abc</a>');
  });

  it('escapes every variable in the html part and none in the text part', () => {
    const vars = { ...VARS['verify-email'], tenantName: `<script>alert("x")</script> & 'Co'`, link: 'https://id.acme.test/v?a=1&b="2"' };
    const mail = renderMail('verify-email', 'en', vars);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;');
    expect(mail.html).toContain('href="https://id.acme.test/v?a=1&amp;b=&quot;2&quot;"');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`<script>alert("x")</script> & 'Co'`);
    expect(mail.text).toContain('https://id.acme.test/v?a=1&b="2"');
    expect(mail.subject).toBe(`Confirm your email address for <script>alert("x")</script> & 'Co'`);
  });

  it('keeps a subject on one line whatever a variable holds', () => {
    const mail = renderMail('password-changed', 'en', { ...common, tenantName: 'Acme\r\nBcc: eve@evil.test' });
    expect(mail.subject).toBe('Your Acme Bcc: eve@evil.test password was changed');
  });

  it('renders an unknown placeholder, or a variable of another template, as nothing', () => {
    const mail = renderMail('password-changed', 'en', common, {
      'password-changed': { en: { text: 'Hi {{email}}{{ nope }}{{code}}{{link}}.', subject: '{{tenantName}}: {{ foo bar }}done' } },
    });
    expect(mail.text).toBe('Hi alice@example.com.');
    expect(mail.subject).toBe('Acme: done');
  });

  it('does not expand placeholders that arrive inside a value', () => {
    const mail = renderMail('sign-in-code', 'en', { ...VARS['sign-in-code'], tenantName: '{{code}}' });
    expect(mail.text).toContain('sign in to {{code}} as');
  });

  it("uses the tenant's own fields and the defaults for the fields it left out, per locale", () => {
    const overrides = { 'sign-in-code': { de: { subject: 'Code für {{email}}' } } };
    const de = renderMail('sign-in-code', 'de', VARS['sign-in-code'], overrides);
    const en = renderMail('sign-in-code', 'en', VARS['sign-in-code'], overrides);
    const defaults = renderMail('sign-in-code', 'de', VARS['sign-in-code']);
    expect(de).toEqual({ subject: 'Code für alice@example.com', text: defaults.text, html: defaults.html });
    expect(en).toEqual(renderMail('sign-in-code', 'en', VARS['sign-in-code']));
  });

  it('escapes values in an overridden html part too', () => {
    const mail = renderMail('mfa-code', 'en', { ...VARS['mfa-code'], tenantName: 'A<b>' }, { 'mfa-code': { en: { html: '<h1>{{tenantName}}</h1><p>{{code}}</p>' } } });
    expect(mail.html).toBe('<h1>A&lt;b&gt;</h1><p>771204</p>');
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://files.acme.test/x', '/relative/path', 'not a url'])('refuses the link %s', (link) => {
    expect(() => renderMail('reset-password', 'en', { ...VARS['reset-password'], link })).toThrow(MailRenderError);
    expect(() => renderMail('reset-password', 'en', { ...VARS['reset-password'], link })).toThrow('link must be an http(s) URL');
  });

  it('accepts an http link (local development)', () => {
    expect(renderMail('reset-password', 'en', { ...VARS['reset-password'], link: 'http://localhost:8080/reset?t=1' }).text).toContain('http://localhost:8080/reset?t=1');
  });

  it('refuses to render without a variable the template needs', () => {
    const vars = { ...common, expiresInMinutes: 10 } as unknown as MailVars<'sign-in-code'>;
    expect(() => renderMail('sign-in-code', 'en', vars)).toThrow('the variable code is missing');
  });

  it('builds the defaults for every template and locale', () => {
    for (const key of MAIL_TEMPLATE_KEYS) {
      expect(Object.keys(DEFAULT_MAIL_TEMPLATES[key]).sort()).toEqual([...MAIL_LOCALES].sort());
    }
  });
});

describe('resolveMailLocale', () => {
  it.each([
    ['de', 'de'],
    ['de-AT', 'de'],
    ['DE_ch', 'de'],
    ['en-GB', 'en'],
    ['fr', 'en'],
    ['', 'en'],
    [null, 'en'],
    [undefined, 'en'],
  ])('maps %p to %s', (input, expected) => {
    expect(resolveMailLocale(input)).toBe(expected);
  });
});

describe('validateTemplateOverrides', () => {
  it('accepts good overrides and no overrides', () => {
    expect(
      validateTemplateOverrides({
        'reset-password': { de: { subject: 'Neues Passwort für {{ tenantName }}', text: 'Hier: {{link}} ({{expiresInMinutes}} Min.)', html: '<a href="{{link}}">Los</a>' } },
        'password-changed': { en: { text: 'Changed for {{email}}.' } },
      }),
    ).toEqual([]);
    expect(validateTemplateOverrides({})).toEqual([]);
  });

  it('names unknown templates, locales and fields', () => {
    expect(validateTemplateOverrides({ welcome: { en: { subject: 'Hi' } }, 'mfa-code': { fr: { subject: 'Salut' } }, 'sign-in-code': { en: { body: 'x' } } })).toEqual([
      expect.stringContaining('unknown template "welcome"'),
      expect.stringContaining('mfa-code: unknown locale "fr"'),
      expect.stringContaining('sign-in-code.en.body: unknown field'),
    ]);
  });

  it('names variables the template does not have', () => {
    expect(validateTemplateOverrides({ 'password-changed': { en: { text: 'Use {{code}} at {{link}} {{ foo bar }}' } } })).toEqual([
      expect.stringContaining('password-changed.en.text: unknown variable {{code}}'),
      expect.stringContaining('password-changed.en.text: unknown variable {{link}}'),
      expect.stringContaining('password-changed.en.text: unknown variable {{foo bar}}'),
    ]);
  });

  it('refuses a subject over 200 characters and a body over 20 000', () => {
    expect(validateTemplateOverrides({ 'account-locked': { en: { subject: 'x'.repeat(200), text: 'y'.repeat(20_000) } } })).toEqual([]);
    expect(validateTemplateOverrides({ 'account-locked': { en: { subject: 'x'.repeat(201), text: 'y'.repeat(20_001), html: 'z'.repeat(20_001) } } })).toEqual([
      'account-locked.en.subject: longer than 200 characters',
      'account-locked.en.text: longer than 20000 characters',
      'account-locked.en.html: longer than 20000 characters',
    ]);
  });

  it('refuses bodies that dropped the code or link of their mail', () => {
    expect(validateTemplateOverrides({ 'sign-in-code': { en: { text: 'Welcome back!' } }, 'verify-email': { de: { html: '<p>Bitte bestätigen</p>' } } })).toEqual([
      'sign-in-code.en.text: must contain {{code}}',
      'verify-email.de.html: must contain {{code}}',
    ]);
  });

  it('refuses wrong shapes, empty fields and multi-line subjects', () => {
    expect(validateTemplateOverrides('nope')).toEqual(['templates must be an object']);
    expect(validateTemplateOverrides([])).toEqual(['templates must be an object']);
    expect(validateTemplateOverrides({ 'mfa-code': 'x', 'sign-in-code': { en: [] }, 'verify-email': { en: { subject: 3, text: ' ' } }, 'account-locked': { de: { subject: 'a\nb' } } })).toEqual([
      'mfa-code: must be an object of locales',
      'sign-in-code.en: must be an object with subject, text and/or html',
      'verify-email.en.subject: must be a string',
      'verify-email.en.text: must not be empty (leave it out to use the default)',
      'account-locked.de.subject: must be a single line',
    ]);
  });
});
