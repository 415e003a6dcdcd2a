import { decodePrincipal } from '@keyline/platform-http';
import { bearerKey, keyCheckOf, parseApiKeyRecord } from './api-key.principal';

const KEY = `kl_${'A'.repeat(43)}`;

describe('bearer key parsing', () => {
  it('accepts a Bearer kl_ key, case-insensitively for the scheme', () => {
    expect(bearerKey(`Bearer ${KEY}`)).toBe(KEY);
    expect(bearerKey(`bearer ${KEY}`)).toBe(KEY);
    expect(bearerKey(`Bearer kl_admin_${'b'.repeat(43)}`)).toBe(`kl_admin_${'b'.repeat(43)}`);
  });

  it('rejects missing, foreign, short, oversized or non-printable keys', () => {
    for (const header of [
      undefined,
      '',
      KEY,
      `Basic ${KEY}`,
      `Bearer`,
      `Bearer sk_${'a'.repeat(43)}`,
      'Bearer kl_',
      'Bearer kl_short',
      `Bearer kl_${'a'.repeat(600)}`,
      `Bearer kl_${'a'.repeat(20)} trailing`,
      `Bearer kl_${'a'.repeat(20)}\u00e9`,
      `Bearerkl_${'a'.repeat(20)}`,
    ]) {
      expect(bearerKey(header)).toBeUndefined();
    }
    expect(bearerKey([`Bearer ${KEY}`, `Bearer ${KEY}`])).toBeUndefined();
  });
});

describe('key records', () => {
  it('accepts the shapes the directory writes and nothing else', () => {
    expect(parseApiKeyRecord({ kind: 'unknown' })).toEqual({ kind: 'unknown' });
    expect(parseApiKeyRecord({ kind: 'revoked', keyId: 'k', revoked: true })).toEqual({ kind: 'revoked', keyId: 'k', revoked: true });
    expect(parseApiKeyRecord({ kind: 'platform', keyId: 'p', scopes: ['admin'] })).toEqual({ kind: 'platform', keyId: 'p', scopes: ['admin'] });
    const tenant = { kind: 'tenant', keyId: 'k', tenantId: 't', tenantSlug: 'acme', scopes: ['users:read'] };
    expect(parseApiKeyRecord({ ...tenant, extra: 'dropped' })).toEqual(tenant);
    for (const bad of [null, 'x', {}, { kind: 'root' }, { ...tenant, tenantId: 1 }, { ...tenant, scopes: 'admin' }, { ...tenant, revoked: true }, { kind: 'revoked' }]) {
      expect(parseApiKeyRecord(bad)).toBeUndefined();
    }
  });

  it('builds the principal header services decode, and a bucket per key', () => {
    const check = keyCheckOf({ kind: 'tenant', keyId: 'k1', tenantId: 't1', tenantSlug: 'acme', scopes: ['admin'] });
    expect(check).toEqual(expect.objectContaining({ valid: true, keyId: 'k1', bucket: 'kl:rl:key:k1' }));
    if (!check.valid) throw new Error('expected a valid key');
    expect(decodePrincipal(check.principal)).toEqual({ kind: 'tenant', keyId: 'k1', tenantId: 't1', tenantSlug: 'acme', scopes: ['admin'] });
    const platform = keyCheckOf({ kind: 'platform', keyId: 'p1', scopes: ['admin'] });
    expect(platform.valid && decodePrincipal(platform.principal)).toEqual({ kind: 'platform', keyId: 'p1', scopes: ['admin'] });
    expect(keyCheckOf({ kind: 'revoked', keyId: 'k1', revoked: true })).toEqual({ valid: false, reason: 'revoked' });
    expect(keyCheckOf({ kind: 'unknown' })).toEqual({ valid: false, reason: 'unknown' });
  });
});
