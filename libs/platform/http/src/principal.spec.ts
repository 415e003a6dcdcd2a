import { Principal, actorOf, decodePrincipal, encodePrincipal, hasScope, safeEqual } from './principal';

const tenant: Principal = { kind: 'tenant', keyId: 'k1', tenantId: 't1', tenantSlug: 'acme', scopes: ['users:read'] };

describe('principal', () => {
  it('round-trips through the header encoding', () => {
    expect(decodePrincipal(encodePrincipal(tenant))).toEqual(tenant);
  });

  it('rejects forged or malformed headers', () => {
    expect(decodePrincipal('not base64 json')).toBeUndefined();
    expect(decodePrincipal(Buffer.from(JSON.stringify({ kind: 'root', scopes: [] })).toString('base64url'))).toBeUndefined();
    expect(decodePrincipal(Buffer.from(JSON.stringify({ kind: 'tenant', scopes: [] })).toString('base64url'))).toBeUndefined();
    expect(decodePrincipal(undefined)).toBeUndefined();
    expect(decodePrincipal('a'.repeat(10_000))).toBeUndefined();
  });

  it('checks scopes: admin implies all within the tenant, platform implies all', () => {
    expect(hasScope(tenant, 'users:read')).toBe(true);
    expect(hasScope(tenant, 'users:write')).toBe(false);
    expect(hasScope({ ...tenant, scopes: ['admin'] }, 'users:write')).toBe(true);
    expect(hasScope({ kind: 'platform', keyId: 'p', scopes: [] }, 'anything')).toBe(true);
  });

  it('names actors and compares secrets in constant time', () => {
    expect(actorOf(tenant)).toBe('api-key:k1');
    expect(actorOf({ kind: 'platform', keyId: 'p', scopes: [] })).toBe('platform-admin:p');
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
