import { tenantCorsKey } from '@keyline/directory-contracts';
import { matchRoute } from '../routing/route-table';
import { CorsPolicy, normaliseOrigin, preflightHeaders } from './cors.policy';

const route = (path: string) => {
  const r = matchRoute(path);
  if (!r) throw new Error(`no route for ${path}`);
  return r;
};

class FakeStore {
  values = new Map<string, string>();
  gets = 0;
  down = false;
  async get(key: string) {
    this.gets++;
    if (this.down) throw new Error('down');
    return this.values.get(key) ?? null;
  }
}

describe('CorsPolicy', () => {
  it('allows CORS_ORIGINS on the management API only', () => {
    const policy = new CorsPolicy(['https://console.example.com', 'https://Admin.Example.com/'], new FakeStore());
    expect(policy.allows(route('/v1/users'), '/v1/users', 'https://console.example.com')).toBe(true);
    expect(policy.allows(route('/v1/users'), '/v1/users', 'https://admin.example.com')).toBe(true);
    expect(policy.allows(route('/v1/users'), '/v1/users', 'https://evil.example')).toBe(false);
    expect(policy.allows(route('/scim/v2/Users'), '/scim/v2/Users', 'https://console.example.com')).toBe(false);
    expect(new CorsPolicy(['*'], new FakeStore()).allows(route('/v1/users'), '/v1/users', 'https://any.example')).toBe(true);
  });

  it("allows a tenant's own origins on its issuer paths, cached briefly", async () => {
    const store = new FakeStore();
    let now = 0;
    store.values.set(tenantCorsKey('acme'), JSON.stringify(['https://app.acme.test/', 'javascript:alert(1)', 42]));
    const policy = new CorsPolicy([], store, () => now);
    const path = '/t/acme/oauth/token';
    expect(await policy.allows(route(path), path, 'https://app.acme.test')).toBe(true);
    expect(policy.allows(route(path), path, 'https://other.test')).toBe(false); // sync: cached
    expect(store.gets).toBe(1);
    now += 5000;
    store.values.set(tenantCorsKey('acme'), '[]');
    expect(await policy.allows(route(path), path, 'https://app.acme.test')).toBe(false);
    expect(await policy.allows(route('/t/NOT_A_SLUG/x'), '/t/NOT_A_SLUG/x', 'https://app.acme.test')).toBe(false);
    expect(store.gets).toBe(2);
  });

  it('fails closed when Redis is down, without caching the failure', async () => {
    const store = new FakeStore();
    store.values.set(tenantCorsKey('acme'), JSON.stringify(['https://app.acme.test']));
    store.down = true;
    const policy = new CorsPolicy([], store);
    expect(await policy.allows(route('/t/acme'), '/t/acme', 'https://app.acme.test')).toBe(false);
    store.down = false;
    expect(await policy.allows(route('/t/acme'), '/t/acme', 'https://app.acme.test')).toBe(true);
  });

  it('normalises origins and builds preflight answers', () => {
    expect(normaliseOrigin('HTTPS://App.Example.com:443/')).toBe('https://app.example.com');
    expect(normaliseOrigin('https://app.example.com/path')).toBeUndefined();
    expect(normaliseOrigin('ftp://x')).toBeUndefined();
    const h = preflightHeaders('https://a.test', 'authorization, content-type');
    expect(h).toEqual(expect.objectContaining({ 'access-control-allow-origin': 'https://a.test', 'access-control-allow-headers': 'authorization, content-type' }));
    expect(preflightHeaders('https://a.test', 'x\r\nset-cookie: a')).not.toHaveProperty('access-control-allow-headers');
  });
});
