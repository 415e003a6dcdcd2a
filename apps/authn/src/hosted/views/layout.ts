import { type Html, attrs, html } from './html';
import { LOCALES, LOCALE_NAMES, type Locale, t } from './i18n';

export interface TenantBranding {
  slug: string;
  name: string;
  logoUrl?: string | null;
  primaryColor?: string | null;
}

/** What every hosted page needs, whatever it shows. */
export interface PageContext {
  tenant: TenantBranding;
  locale: Locale;
  /** The tenant's issuer path, e.g. `/t/acme`. */
  basePath: string;
  csrf: string;
  assetsVersion: string;
  themeVersion: string;
  /** Query to keep on links and form actions (e.g. `return_to=...`), already encoded; may be empty. */
  query?: string;
}

/** Paths of the hosted pages and form targets, relative to `basePath`. */
export const HOSTED_PAGE_PATHS = {
  signIn: '/sign-in',
  signInCode: '/sign-in/code',
  signInCodeVerify: '/sign-in/code/verify',
  signUp: '/sign-up',
  verifyEmail: '/verify-email',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  mfa: '/mfa',
  mfaEnrol: '/mfa/enrol',
  mfaEnrolSkip: '/mfa/enrol/skip',
  mfaTotpRemove: '/mfa/totp/remove',
  account: '/account',
  changePassword: '/account/password',
  signOut: '/sign-out',
} as const;
export type HostedPagePath = (typeof HOSTED_PAGE_PATHS)[keyof typeof HOSTED_PAGE_PATHS];

/** Paths of the two stylesheets, relative to `basePath`; both are requested with `?v={version}`. */
export const HOSTED_ASSET_PATHS = { css: '/assets/hosted.css', theme: '/assets/theme.css' } as const;

/** A hosted page's address, keeping the preserved query and setting `params` on top of it. */
export function pageHref(ctx: PageContext, path: HostedPagePath, params: Record<string, string> = {}): string {
  const query = new URLSearchParams(ctx.query ?? '');
  for (const [name, value] of Object.entries(params)) query.set(name, value);
  const search = query.toString();
  return `${ctx.basePath}${path}${search ? `?${search}` : ''}`;
}

/**
 * `href` if it is a same-origin path or an http(s) URL, else `fallback`: links handed in by a
 * controller (continue URLs) must never become `javascript:` or, through stripped tabs, `//evil`.
 */
export function safeHref(href: string, fallback: string): string {
  const printable = /^[\x21-\x7e]+$/.test(href);
  return printable && (/^\/(?![/\\])/.test(href) || /^https?:\/\//i.test(href)) ? href : fallback;
}

function isHttpsUrl(url: string | null | undefined): url is string {
  try {
    return !!url && new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

function localeSwitcher(ctx: PageContext): Html {
  const links = LOCALES.map((locale) => {
    const query = new URLSearchParams(ctx.query ?? '');
    query.set('ui_locales', locale);
    const current = locale === ctx.locale ? 'true' : undefined;
    return html`<li><a${attrs({ href: `?${query}`, lang: locale, hreflang: locale, 'aria-current': current })}>${LOCALE_NAMES[locale]}</a></li>`;
  });
  return html`<nav aria-label="${t(ctx.locale, 'layout.language')}"><ul>${links}</ul></nav>`;
}

/** The document around a page: head, stylesheets, tenant header, `<main>` with the `<h1>`, footer. */
export function layout(ctx: PageContext, page: { title: string; body: Html; hasErrors?: boolean }): string {
  const { tenant, locale, basePath } = ctx;
  const title = page.hasErrors ? t(locale, 'layout.error_title', { title: page.title }) : page.title;
  // The page URL may carry a reset token: the logo host must not see it, whatever the response headers say.
  const brand = isHttpsUrl(tenant.logoUrl)
    ? html`<img${attrs({ class: 'kl-logo', src: tenant.logoUrl, alt: tenant.name, referrerpolicy: 'no-referrer' })}>`
    : html`<p class="kl-brand">${tenant.name}</p>`;
  const css = `${basePath}${HOSTED_ASSET_PATHS.css}?v=${encodeURIComponent(ctx.assetsVersion)}`;
  const theme = `${basePath}${HOSTED_ASSET_PATHS.theme}?v=${encodeURIComponent(ctx.themeVersion)}`;
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${title} – ${tenant.name}</title>
<link rel="stylesheet" href="${css}">
<link rel="stylesheet" href="${theme}">
</head>
<body>
<a class="kl-skip" href="#main">${t(locale, 'layout.skip')}</a>
<div class="kl-page">
<header class="kl-header">${brand}</header>
<main id="main" class="kl-main" tabindex="-1">
<h1>${page.title}</h1>
${page.body}
</main>
<footer class="kl-footer">${localeSwitcher(ctx)}</footer>
</div>
</body>
</html>
`.value;
}
