import { API_KEY_REVOKED_CHANNEL, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import { decodePrincipal, encodePrincipal } from '@keyline/platform-http';
import { waitFor } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { keyHash } from './auth/api-key.resolver';
import { Call, Secrets, Stack, startStack, tenantWithKey } from './testing/gateway.harness';

type Echo = { method: string; url: string; headers: Record<string, string>; bodyLength: number };

function expectProblem(res: { status: number; headers: Headers; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(expect.objectContaining({ status, code, type: `urn:keyline:problem:${code}` }));
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
}

/** Polls until `fn` is true and returns how long it took. */
async function msUntil(fn: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await waitFor(fn, timeoutMs, 20, 'condition');
  return Date.now() - t0;
}

describe('gateway authentication', () => {
  let stack: Stack;
  let secrets: Secrets;
  let redis: Redis;
  let call: Call;
  let tenant: Stack['tenant'];

  beforeAll(async () => {
    stack = await startStack('auth');
    ({ secrets, redis, call, tenant } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 401 problem+json with a Bearer challenge for a missing, malformed or unknown key', async () => {
    const missing = await call('GET', '/v1/whoami');
    expectProblem(missing, 401, 'unauthorized');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="keyline"');
    for (const key of ['not-a-key', 'kl_', 'kl_short', `kl_${'x'.repeat(600)}`]) {
      const res = await call('GET', '/v1/whoami', { key });
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="keyline", error="invalid_token"/);
    }
    const basic = await call('GET', '/v1/whoami', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expectProblem(basic, 401, 'unauthorized');
    const unknown = await call('GET', '/v1/whoami', { key: `kl_${'x'.repeat(43)}` });
    expectProblem(unknown, 401, 'unauthorized');
    expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
    expectProblem(await call('GET', '/scim/v2/Users'), 401, 'unauthorized');
  });

  it('forwards a valid key as the principal with the internal token, never the key itself', async () => {
    const who = await call<{ kind: string; tenantId: string; keyId: string }>('GET', '/v1/whoami', { key: tenant.key });
    expect(who.status).toBe(200);
    expect(who.body).toEqual(expect.objectContaining({ kind: 'tenant', tenantId: tenant.tenant.id, keyId: tenant.keyId }));
    expect(who.headers.get('x-request-id')).toBeTruthy();

    const echo = await call<Echo>('POST', '/v1/sessions/_echo?x=1&y=%20', { key: tenant.key, json: { hello: 'world' }, headers: { 'x-custom': 'kept' } });
    expect(echo.status).toBe(200);
    const h = echo.body.headers;
    expect(h['x-keyline-internal-token']).toBe(secrets.internalToken);
    expect(decodePrincipal(h['x-keyline-principal'])).toEqual(
      expect.objectContaining({ kind: 'tenant', tenantId: tenant.tenant.id, tenantSlug: tenant.slug, keyId: tenant.keyId }),
    );
    expect(h.authorization).toBeUndefined();
    expect(h['x-custom']).toBe('kept');
    expect(h['content-type']).toBe('application/json');
    expect(h['x-request-id']).toBe(echo.headers.get('x-request-id'));
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(echo.body.url).toBe('/v1/sessions/_echo?x=1&y=%20');
    expect(echo.body.bodyLength).toBe(JSON.stringify({ hello: 'world' }).length);
  });

  it('drops client-sent x-keyline-* headers so the principal cannot be forged', async () => {
    const forged = encodePrincipal({ kind: 'platform', keyId: 'forged', scopes: ['admin'] });
    const headers = { 'x-keyline-principal': forged, 'x-keyline-internal-token': 'guess', 'x-keyline-anything': '1', 'x-forwarded-for': '6.6.6.6' };
    const echo = await call<Echo>('GET', '/v1/sessions/_echo', { key: tenant.key, headers });
    expect(echo.status).toBe(200);
    expect(echo.body.headers['x-keyline-principal']).not.toBe(forged);
    expect(decodePrincipal(echo.body.headers['x-keyline-principal'])?.kind).toBe('tenant');
    expect(echo.body.headers['x-keyline-internal-token']).toBe(secrets.internalToken);
    expect(echo.body.headers['x-keyline-anything']).toBeUndefined();
    expect(echo.body.headers['x-forwarded-for']).toBe('127.0.0.1');

    // Without a key, a forged principal gets nowhere either.
    expectProblem(await call('GET', '/v1/whoami', { headers }), 401, 'unauthorized');
    const who = await call<{ kind: string }>('GET', '/v1/whoami', { key: tenant.key, headers });
    expect(who.body.kind).toBe('tenant');
  });

  it('passes OIDC and hosted-page paths through without a key or principal', async () => {
    const echo = await call<Echo>('POST', `/t/${tenant.slug}/_echo`, {
      body: 'grant_type=client_credentials',
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: 'Basic Y2xpZW50OnNlY3JldA==', 'x-keyline-principal': 'forged' },
    });
    expect(echo.status).toBe(200);
    expect(echo.body.headers.authorization).toBe('Basic Y2xpZW50OnNlY3JldA==');
    expect(echo.body.headers['x-keyline-principal']).toBeUndefined();
    expect(echo.body.headers['x-keyline-internal-token']).toBe(secrets.internalToken);
  });

  it('stops accepting a key within 1 s of a published revocation', async () => {
    const k = await tenantWithKey(call, secrets.adminKey);
    expect((await call('GET', '/v1/whoami', { key: k.key })).status).toBe(200);
    // What the directory does on revocation: rewrite the record, then announce the hash.
    const hash = keyHash(k.key);
    await redis.set(apiKeyCacheKey(hash), JSON.stringify({ kind: 'revoked', keyId: k.keyId, revoked: true }), 'EX', 600);
    await redis.publish(API_KEY_REVOKED_CHANNEL, hash);
    const ms = await msUntil(async () => (await call('GET', '/v1/whoami', { key: k.key })).status === 401, 1000);
    expect(ms).toBeLessThan(1000);
    expectProblem(await call('GET', '/v1/whoami', { key: k.key }), 401, 'unauthorized');
  });

  it('stops accepting a key within 1 s when only the Redis record changed (message lost)', async () => {
    const k = await tenantWithKey(call, secrets.adminKey);
    // Keep the key hot in the gateway's memory right up to the change.
    for (let i = 0; i < 5; i++) expect((await call('GET', '/v1/whoami', { key: k.key })).status).toBe(200);
    await redis.set(apiKeyCacheKey(keyHash(k.key)), JSON.stringify({ kind: 'revoked', keyId: k.keyId, revoked: true }), 'EX', 600);
    const ms = await msUntil(async () => (await call('GET', '/v1/whoami', { key: k.key })).status === 401, 1000);
    expect(ms).toBeLessThan(1000);
  });

  it('revokes through the directory API end to end within 1 s', async () => {
    const k = await tenantWithKey(call, secrets.adminKey);
    expect((await call('GET', '/v1/whoami', { key: k.key })).status).toBe(200);
    const del = await call('DELETE', `/v1/tenants/${k.slug}/api-keys/${k.keyId}`, { key: secrets.adminKey });
    expect(del.status).toBe(204);
    const ms = await msUntil(async () => (await call('GET', '/v1/whoami', { key: k.key })).status === 401, 1000);
    expect(ms).toBeLessThan(1000);
  });

  it('resolves a key missing from Redis through the directory and records its last use', async () => {
    const k = await tenantWithKey(call, secrets.adminKey);
    await redis.del(apiKeyCacheKey(keyHash(k.key)), apiKeyLastUsedKey(k.keyId));
    const before = Date.now();
    expect((await call('GET', '/v1/whoami', { key: k.key })).status).toBe(200);
    // The directory refilled Redis for the next gateway.
    await waitFor(async () => (await redis.get(apiKeyCacheKey(keyHash(k.key)))) !== null, 2000, 20, 'record cached');
    const stamp = await waitFor(async () => Number(await redis.get(apiKeyLastUsedKey(k.keyId))), 2000, 20, 'last use');
    expect(stamp).toBeGreaterThanOrEqual(before - 5);
    expect(stamp).toBeLessThanOrEqual(Date.now());
  });
});
