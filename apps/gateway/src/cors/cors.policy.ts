import { TENANT_SLUG_PATTERN, tenantCorsKey } from '@keyline/directory-contracts';
import type { RouteSpec } from '../routing/route-table';
import { tenantSlugOf } from '../routing/route-table';

export interface OriginStore {
  get(key: string): Promise<string | null>;
}

const TENANT_TTL_MS = 5000;
const TENANT_ENTRIES = 10_000;
const EMPTY: ReadonlySet<string> = new Set();

/** Origins as browsers serialise them: scheme://host[:port], lower case, no trailing slash. */
export function normaliseOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.pathname !== '/' || u.search || u.hash || u.username) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

export const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
export const EXPOSED_HEADERS =
  'x-request-id, location, etag, retry-after, www-authenticate, ratelimit-limit, ratelimit-remaining, ratelimit-reset';
const MAX_AGE = '600';

/**
 * Which browser origins may call a route: CORS_ORIGINS for the management API, each tenant's own list
 * for its issuer (`/t/{slug}`), cached briefly in process. No credentials are allowed cross-origin:
 * API keys and OAuth requests travel in headers and bodies, not cookies.
 */
export class CorsPolicy {
  private readonly management: ReadonlySet<string>;
  private readonly anyOrigin: boolean;
  private readonly tenants = new Map<string, { origins: ReadonlySet<string>; expiresAt: number }>();

  constructor(
    origins: string[],
    private readonly store: OriginStore,
    private readonly now: () => number = Date.now,
  ) {
    this.anyOrigin = origins.includes('*');
    this.management = new Set(origins.filter((o) => o !== '*').map((o) => normaliseOrigin(o) ?? o));
  }

  /** Whether `origin` may read responses of `route` at `path`; sync unless a tenant list must be read. */
  allows(route: RouteSpec, path: string, origin: string): boolean | Promise<boolean> {
    switch (route.cors) {
      case 'none':
        return false;
      case 'management':
        return this.anyOrigin || this.management.has(origin);
      case 'tenant': {
        const slug = tenantSlugOf(path);
        if (!slug || !TENANT_SLUG_PATTERN.test(slug)) return false;
        const cached = this.tenants.get(slug);
        if (cached && cached.expiresAt > this.now()) return cached.origins.has(origin);
        return this.loadTenant(slug).then((origins) => origins.has(origin));
      }
    }
  }

  private async loadTenant(slug: string): Promise<ReadonlySet<string>> {
    let raw: string | null;
    try {
      raw = await this.store.get(tenantCorsKey(slug));
    } catch {
      return EMPTY; // fail closed, and do not cache the failure
    }
    let origins: ReadonlySet<string> = EMPTY;
    try {
      const list: unknown = raw ? JSON.parse(raw) : [];
      if (Array.isArray(list)) {
        origins = new Set(list.filter((o): o is string => typeof o === 'string').map((o) => normaliseOrigin(o)).filter((o): o is string => !!o));
      }
    } catch {
      origins = EMPTY;
    }
    if (this.tenants.size >= TENANT_ENTRIES) this.tenants.clear();
    this.tenants.set(slug, { origins, expiresAt: this.now() + TENANT_TTL_MS });
    return origins;
  }
}

/** Headers of an allowed preflight (the gateway answers preflights itself; they never carry keys). */
export function preflightHeaders(origin: string, requestedHeaders: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-max-age': MAX_AGE,
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  if (requestedHeaders && /^[A-Za-z0-9!#$%&'*+.^_`|~,\s-]{1,1024}$/.test(requestedHeaders)) {
    headers['access-control-allow-headers'] = requestedHeaders;
  }
  return headers;
}
