import { html } from './html';
import { Dom, pageContext, text } from './html.testing';
import { HOSTED_PAGE_PATHS, layout, pageHref, safeHref } from './layout';

const render = (overrides = {}, page = {}) => new Dom(layout(pageContext(overrides), { title: 'Sign in', body: html`<p>Body</p>`, ...page }));

describe('layout', () => {
  it('renders a complete document: language, viewport, title with tenant name, both stylesheets, one h1 in main', () => {
    const dom = render({ locale: 'de', assetsVersion: '1.2 beta', themeVersion: 'a&b' });
    expect(dom.source.startsWith('<!doctype html>')).toBe(true);
    expect(dom.one('html').attribs.lang).toBe('de');
    expect(dom.one('meta', { name: 'viewport' }).attribs.content).toBe('width=device-width, initial-scale=1');
    expect(text(dom.one('title'))).toBe('Sign in – Acme');
    expect(dom.find('link', { rel: 'stylesheet' }).map((l) => l.attribs.href)).toEqual([
      '/t/acme/assets/hosted.css?v=1.2%20beta',
      '/t/acme/assets/theme.css?v=a%26b',
    ]);
    const main = dom.one('main', { id: 'main' });
    expect(dom.find('h1').map(text)).toEqual(['Sign in']);
    expect(dom.find('h1', {}, main)).toHaveLength(1);
  });

  it('starts with a skip link to the main content', () => {
    const dom = render();
    const first = dom.find('a')[0];
    expect([first.attribs.href, text(first)]).toEqual(['#main', 'Skip to main content']);
  });

  it('prefixes the title when the page shows errors', () => {
    expect(text(render({}, { hasErrors: true }).one('title'))).toBe('Error: Sign in – Acme');
  });

  it('shows an https logo with the tenant name as alt text, and the name as text otherwise', () => {
    const logo = render({ tenant: { slug: 'acme', name: 'Acme', logoUrl: 'https://cdn.acme.test/l.png' } }).one('img');
    expect(logo.attribs).toMatchObject({ src: 'https://cdn.acme.test/l.png', alt: 'Acme', referrerpolicy: 'no-referrer' });
    for (const logoUrl of ['http://cdn.acme.test/l.png', 'javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'not a url', null]) {
      const dom = render({ tenant: { slug: 'acme', name: 'Acme', logoUrl } });
      expect(dom.find('img')).toHaveLength(0);
      expect(text(dom.one('header'))).toBe('Acme');
    }
  });

  it('escapes the tenant name and the base path', () => {
    const dom = render({ tenant: { slug: 'x', name: '<script>alert(1)</script>' }, basePath: '/t/"><script>x' });
    expect(dom.find('script')).toHaveLength(0);
    expect(text(dom.one('title'))).toBe('Sign in – <script>alert(1)</script>');
    expect(dom.find('link', { rel: 'stylesheet' })[0].attribs.href).toBe('/t/"><script>x/assets/hosted.css?v=3');
  });

  it('offers each language as a plain link that keeps the query and marks the current one', () => {
    const links = render({ query: 'return_to=%2Fa&ui_locales=de' }).find('a', { hreflang: undefined });
    expect(links.map((a) => [a.attribs.href, a.attribs.lang, a.attribs['aria-current'], text(a)])).toEqual([
      ['?return_to=%2Fa&ui_locales=en', 'en', 'true', 'English'],
      ['?return_to=%2Fa&ui_locales=de', 'de', undefined, 'Deutsch'],
    ]);
  });
});

describe('pageHref', () => {
  it('keeps the preserved query and sets parameters over it', () => {
    const ctx = pageContext({ query: '?return_to=%2Fx&method=totp' });
    expect(pageHref(ctx, HOSTED_PAGE_PATHS.signUp)).toBe('/t/acme/sign-up?return_to=%2Fx&method=totp');
    expect(pageHref(ctx, HOSTED_PAGE_PATHS.mfa, { method: 'email-code' })).toBe('/t/acme/mfa?return_to=%2Fx&method=email-code');
    expect(pageHref(pageContext({ query: '' }), HOSTED_PAGE_PATHS.signIn)).toBe('/t/acme/sign-in');
  });
});

describe('safeHref', () => {
  it('passes paths and http(s) URLs, and replaces anything else', () => {
    for (const ok of ['/t/acme/account', 'https://app.test/cb?x=1', 'HTTP://app.test']) expect(safeHref(ok, '/fallback')).toBe(ok);
    for (const bad of ['javascript:alert(1)', '//evil.test', '/\\evil.test', '/\t/evil.test', ' /x', 'data:text/html,x', '']) {
      expect(safeHref(bad, '/fallback')).toBe('/fallback');
    }
  });
});
