export { type AttrValue, Html, type HtmlValue, attrs, escapeHtml, html, raw } from './html';
export {
  type Catalogue,
  type CatalogueKey,
  ERROR_CODES,
  type ErrorCode,
  type FormError,
  LOCALES,
  type Locale,
  type MessageKey,
  type MessageVars,
  errorMessage,
  negotiateLocale,
  t,
} from './i18n';
export { HOSTED_ASSET_PATHS, HOSTED_PAGE_PATHS, type HostedPagePath, type PageContext, type TenantBranding, pageHref } from './layout';
export * from './pages';
export { HOSTED_CSS, themeCss } from './styles';
