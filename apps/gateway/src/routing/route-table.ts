/** Services behind the gateway; each owns the public routes listed for it below. */
export const UPSTREAMS = ['directory', 'authn', 'consent', 'sessions', 'audit'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

/**
 * `api-key`: the gateway authenticates `Authorization: Bearer kl_...`, forwards the principal and never
 * the key. `passthrough`: the owner authenticates the caller itself (OAuth clients, end-user access
 * tokens, hosted-page sessions), so credentials are forwarded untouched and no principal is set.
 */
export type RouteAuth = 'api-key' | 'passthrough';

/** Where CORS origins of a route come from: CORS_ORIGINS, the tenant's own list, or nowhere. */
export type RouteCors = 'management' | 'tenant' | 'none';

export interface RouteSpec {
  prefix: string;
  upstream: UpstreamName;
  auth: RouteAuth;
  cors: RouteCors;
}

const api = (prefix: string, upstream: UpstreamName): RouteSpec => ({ prefix, upstream, auth: 'api-key', cors: 'management' });
const self = (prefix: string, upstream: UpstreamName): RouteSpec => ({ prefix, upstream, auth: 'passthrough', cors: 'management' });

/** The one routing table of the platform: public path prefix -> owning service. Longest prefix wins. */
export const ROUTES: readonly RouteSpec[] = [
  api('/v1/tenants', 'directory'),
  api('/v1/users', 'directory'),
  api('/v1/whoami', 'directory'),
  api('/v1/groups', 'directory'),
  api('/v1/roles', 'directory'),
  api('/v1/profile-schema', 'directory'),
  { prefix: '/scim/v2', upstream: 'directory', auth: 'api-key', cors: 'none' },

  api('/v1/applications', 'authn'),
  api('/v1/connections', 'authn'),
  api('/v1/authn-settings', 'authn'),
  api('/v1/lockouts', 'authn'),
  api('/v1/signing-keys', 'authn'),
  // Self-service of the signed-in end user (session token); sessions and consents have their own owners.
  self('/v1/me', 'authn'),
  // The development mailbox (authn answers 404 when SMTP is configured or in production).
  { prefix: '/dev', upstream: 'authn', auth: 'passthrough', cors: 'none' },
  // OIDC endpoints and hosted pages of each tenant issuer ({PUBLIC_URL}/t/{slug}).
  { prefix: '/t', upstream: 'authn', auth: 'passthrough', cors: 'tenant' },

  api('/v1/audit', 'audit'),
  api('/v1/webhooks', 'audit'),

  api('/v1/sessions', 'sessions'),
  self('/v1/me/sessions', 'sessions'),

  api('/v1/purposes', 'consent'),
  api('/v1/consents', 'consent'),
  api('/v1/preference-topics', 'consent'),
  api('/v1/privacy-requests', 'consent'),
  self('/v1/me/consents', 'consent'),
  self('/v1/me/preferences', 'consent'),
];

/** Fastify route patterns that cover every prefix above (the proxy's entry points). */
export const PROXY_PATTERNS = ['/v1/*', '/scim/v2', '/scim/v2/*', '/t/*', '/dev/*'] as const;

const BY_LENGTH = [...ROUTES].sort((a, b) => b.prefix.length - a.prefix.length);

/** The route owning `path` (no query string): the longest prefix that ends at a segment boundary. */
export function matchRoute(path: string): RouteSpec | undefined {
  for (const route of BY_LENGTH) {
    const p = route.prefix;
    if (path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === 47 /* / */)) return route;
  }
  return undefined;
}

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * Dot segments would let a path match one prefix at the gateway and another after normalisation
 * upstream; no Keyline route has them, so they are refused outright.
 */
export function hasDotSegment(path: string): boolean {
  return (path.includes('.') || path.includes('%')) && DOT_SEGMENT.test(path);
}

/** The tenant slug of an issuer path `/t/{slug}/...`. */
export function tenantSlugOf(path: string): string | undefined {
  if (!path.startsWith('/t/')) return undefined;
  const end = path.indexOf('/', 3);
  const slug = end === -1 ? path.slice(3) : path.slice(3, end);
  return slug || undefined;
}
