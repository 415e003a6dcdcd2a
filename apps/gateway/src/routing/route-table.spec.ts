import { PROXY_PATTERNS, ROUTES, hasDotSegment, matchRoute, tenantSlugOf } from './route-table';

describe('route table', () => {
  it.each([
    ['/v1/tenants', 'directory', 'api-key'],
    ['/v1/tenants/acme/api-keys', 'directory', 'api-key'],
    ['/v1/users/123', 'directory', 'api-key'],
    ['/v1/whoami', 'directory', 'api-key'],
    ['/v1/groups', 'directory', 'api-key'],
    ['/v1/profile-schema', 'directory', 'api-key'],
    ['/scim/v2', 'directory', 'api-key'],
    ['/scim/v2/Users/1', 'directory', 'api-key'],
    ['/v1/applications/app-1', 'authn', 'api-key'],
    ['/v1/connections', 'authn', 'api-key'],
    ['/t/acme/.well-known/openid-configuration', 'authn', 'passthrough'],
    ['/t/acme/oauth/token', 'authn', 'passthrough'],
    ['/v1/me/mfa/totp', 'authn', 'passthrough'],
    ['/v1/me', 'authn', 'passthrough'],
    ['/v1/me/password', 'authn', 'passthrough'],
    ['/v1/me/sessions/s1', 'sessions', 'passthrough'],
    ['/v1/authn-settings', 'authn', 'api-key'],
    ['/v1/lockouts/u1', 'authn', 'api-key'],
    ['/v1/signing-keys/rotate', 'authn', 'api-key'],
    ['/dev/mailbox', 'authn', 'passthrough'],
    ['/v1/audit/events', 'audit', 'api-key'],
    ['/v1/webhooks/w1', 'audit', 'api-key'],
    ['/v1/sessions', 'sessions', 'api-key'],
    ['/v1/me/sessions/s1', 'sessions', 'passthrough'],
    ['/v1/purposes', 'consent', 'api-key'],
    ['/v1/consents', 'consent', 'api-key'],
    ['/v1/preference-topics', 'consent', 'api-key'],
    ['/v1/privacy-requests/r1', 'consent', 'api-key'],
    ['/v1/me/consents', 'consent', 'passthrough'],
    ['/v1/me/preferences', 'consent', 'passthrough'],
  ])('routes %s to %s (%s)', (path, upstream, auth) => {
    expect(matchRoute(path)).toEqual(expect.objectContaining({ upstream, auth }));
  });

  it('matches whole segments only', () => {
    expect(matchRoute('/v1/usersx')).toBeUndefined();
    expect(matchRoute('/v1/whoami-else')).toBeUndefined();
    expect(matchRoute('/scim/v22')).toBeUndefined();
    expect(matchRoute('/tx/acme')).toBeUndefined();
    expect(matchRoute('/v1')).toBeUndefined();
    expect(matchRoute('/v1/mein')).toBeUndefined();
    expect(matchRoute('/health/live')).toBeUndefined();
  });

  it('lets the longest prefix win', () => {
    expect(matchRoute('/v1/me/sessions')?.upstream).toBe('sessions');
    expect(matchRoute('/v1/sessions')?.upstream).toBe('sessions');
    expect(matchRoute('/v1/me/consents/x')?.auth).toBe('passthrough');
  });

  it('has one owner per prefix and proxy patterns covering every prefix', () => {
    const prefixes = ROUTES.map((r) => r.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const prefix of prefixes) {
      expect(PROXY_PATTERNS.some((p) => (p.endsWith('/*') ? `${prefix}/`.startsWith(p.slice(0, -1)) : p === prefix))).toBe(true);
    }
  });

  it('spots dot segments, raw or percent-encoded, but not dotted names', () => {
    expect(hasDotSegment('/v1/users/../tenants')).toBe(true);
    expect(hasDotSegment('/v1/users/./x')).toBe(true);
    expect(hasDotSegment('/v1/users/%2E%2e/x')).toBe(true);
    expect(hasDotSegment('/t/acme/..')).toBe(true);
    expect(hasDotSegment('/t/acme/.well-known/openid-configuration')).toBe(false);
    expect(hasDotSegment('/v1/users/a.b..c')).toBe(false);
    expect(hasDotSegment('/v1/users/%20')).toBe(false);
  });

  it('extracts the tenant slug of issuer paths', () => {
    expect(tenantSlugOf('/t/acme/oauth/token')).toBe('acme');
    expect(tenantSlugOf('/t/acme')).toBe('acme');
    expect(tenantSlugOf('/t/')).toBeUndefined();
    expect(tenantSlugOf('/v1/users')).toBeUndefined();
  });
});
