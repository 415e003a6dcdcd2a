import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { API_KEY_RESOLVE_PATH, API_KEY_REVOKED_CHANNEL, ApiKeyRecord, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import { ServiceProcess, TestDatabase, createTestDatabase, freePort, startServiceProcess, testKafkaBrokers, testRedisDb, waitFor } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { directoryClient, expectProblem } from '../testing/directory.client';

type Tenant = { id: string; slug: string };
type Key = { id: string; tenantId: string; name: string; scopes: string[]; prefix: string; key?: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };
type Page<T> = { items: T[]; nextCursor: string | null };

const run = randomBytes(3).toString('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
const keyOf = (t: Tenant, scopes = ['admin']): Principal => ({ kind: 'tenant', keyId: randomUUID(), tenantId: t.id, tenantSlug: t.slug, scopes });

describe('directory API keys (real Postgres, Redis and Kafka)', () => {
  const adminKey = `kl_admin_${randomBytes(32).toString('base64url')}`;
  let db: TestDatabase;
  let pg: Client;
  let redis: Redis;
  let svc: ServiceProcess;
  let internalToken: string;
  let call: ReturnType<typeof directoryClient>;
  let acme: Tenant;
  let globex: Tenant;

  beforeAll(async () => {
    db = await createTestDatabase('directory_api_keys');
    const redisUrl = testRedisDb();
    internalToken = randomBytes(24).toString('base64url');
    svc = await startServiceProcess('directory', {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      INTERNAL_TOKEN: internalToken,
      PLATFORM_ADMIN_API_KEY: adminKey,
    });
    call = directoryClient(svc.url, internalToken);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
    acme = (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `acme-${run}`, name: 'Acme' } })).body;
    globex = (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `globex-${run}`, name: 'Globex' } })).body;
  });

  afterAll(async () => {
    await svc?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  const createKey = (t: Tenant, body: unknown, as: Principal = platform) => call<Key>('POST', `/v1/tenants/${t.slug}/api-keys`, { as, json: body });
  const resolve = (hash: string) => call<ApiKeyRecord>('POST', API_KEY_RESOLVE_PATH, { json: { hash } });
  const cached = async (hash: string) => {
    const v = await redis.get(apiKeyCacheKey(hash));
    return v ? (JSON.parse(v) as ApiKeyRecord) : null;
  };

  it('registers PLATFORM_ADMIN_API_KEY by hash at start and caches its record', async () => {
    const hash = sha256(adminKey);
    const rows = await pg.query(`SELECT id, "keyHash", prefix, "revokedAt" FROM api_keys WHERE kind = 'platform'`);
    expect(rows.rows).toEqual([{ id: expect.any(String), keyHash: hash, prefix: adminKey.slice(0, 12), revokedAt: null }]);
    expect(await cached(hash)).toEqual({ kind: 'platform', keyId: rows.rows[0].id, scopes: ['admin'] });
    expect((await resolve(hash)).body).toEqual({ kind: 'platform', keyId: rows.rows[0].id, scopes: ['admin'] });
    expect(svc.output()).not.toContain(adminKey);
    expect(svc.output()).not.toContain('KEYLINE_PLATFORM_ADMIN_KEY=');
  });

  it('shows a new key exactly once, stores only its hash and caches the gateway record', async () => {
    const res = await createKey(acme, { name: 'backend', scopes: ['admin'] });
    expect(res.status).toBe(201);
    const key = res.body.key!;
    expect(key).toMatch(/^kl_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toEqual(
      expect.objectContaining({ id: expect.any(String), tenantId: acme.id, name: 'backend', scopes: ['admin'], prefix: key.slice(0, 12), lastUsedAt: null, revokedAt: null }),
    );
    const row = await pg.query('SELECT * FROM api_keys WHERE id = $1', [res.body.id]);
    expect(row.rows[0].keyHash).toBe(sha256(key));
    expect(JSON.stringify(row.rows)).not.toContain(key);
    const events = await pg.query(`SELECT payload FROM outbox_events WHERE payload::jsonb->>'type' = 'api-key.created' AND payload::jsonb->>'subject' = $1`, [res.body.id]);
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].payload).not.toContain(key);

    expect(await cached(sha256(key))).toEqual({ kind: 'tenant', keyId: res.body.id, tenantId: acme.id, tenantSlug: acme.slug, scopes: ['admin'] });
    expect(await redis.ttl(apiKeyCacheKey(sha256(key)))).toBeGreaterThan(23 * 3600);

    const list = await call<Page<Key>>('GET', `/v1/tenants/${acme.slug}/api-keys`, { as: keyOf(acme) });
    expect(list.status).toBe(200);
    expect(list.body.items.map((k) => k.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(JSON.stringify(list.body)).not.toContain(sha256(key));
    expect(list.body.items.every((k) => !('key' in k) && !('keyHash' in k))).toBe(true);
  });

  it('rejects unknown scopes and bad bodies with field errors, writing nothing', async () => {
    const before = Number((await pg.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n);
    const unknown = expectProblem(await createKey(acme, { name: 'x', scopes: ['admin', 'root'] }), 400, 'validation_failed');
    expect(unknown.errors).toEqual([expect.objectContaining({ field: 'scopes' })]);
    const wrong = expectProblem(await createKey(acme, { name: 42, scopes: 'admin' }), 400, 'validation_failed');
    expect([...new Set(wrong.errors!.map((e) => e.field))].sort()).toEqual(['name', 'scopes']);
    const extra = expectProblem(await createKey(acme, { name: 'x', scopes: ['admin'], colour: 'red' }), 400, 'validation_failed');
    expect(extra.errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    expect(Number((await pg.query('SELECT count(*)::int AS n FROM api_keys')).rows[0].n)).toBe(before);
  });

  it('lists keys in pages with the last use recorded by the gateway', async () => {
    const made: Key[] = [];
    for (const name of ['p1', 'p2', 'p3']) made.push((await createKey(globex, { name, scopes: ['users:read'] })).body);
    const usedAt = Date.now() - 60_000;
    await redis.set(apiKeyLastUsedKey(made[2].id), String(usedAt));
    const first = await call<Page<Key>>('GET', `/v1/tenants/${globex.slug}/api-keys?limit=2`, { as: platform });
    expect(first.body.items.map((k) => k.name)).toEqual(['p1', 'p2']);
    const second = await call<Page<Key>>('GET', `/v1/tenants/${globex.slug}/api-keys?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`, { as: platform });
    expect(second.body.items.map((k) => k.name)).toEqual(['p3']);
    expect(second.body.nextCursor).toBeNull();
    expect(second.body.items[0].lastUsedAt).toBe(new Date(usedAt).toISOString());
  });

  it('revokes a key everywhere: database, event, Redis record and a published eviction', async () => {
    const created = (await createKey(acme, { name: 'short-lived', scopes: ['audit:read'] })).body;
    const hash = sha256(created.key!);
    const sub = new Redis(redis.options);
    const messages: string[] = [];
    sub.on('message', (channel: string, message: string) => channel === API_KEY_REVOKED_CHANNEL && messages.push(message));
    await sub.subscribe(API_KEY_REVOKED_CHANNEL);
    try {
      const res = await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${created.id}`, { as: keyOf(acme) });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      await waitFor(() => messages.includes(hash), 1000, 10, 'revocation message');
      expect(await cached(hash)).toEqual({ kind: 'revoked', keyId: created.id, revoked: true });

      expect((await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${created.id}`, { as: platform })).status).toBe(204);
      const revoked = await pg.query(`SELECT count(*)::int AS n FROM outbox_events WHERE payload::jsonb->>'type' = 'api-key.revoked' AND payload::jsonb->>'subject' = $1`, [created.id]);
      expect(revoked.rows[0].n).toBe(1);
      const row = await pg.query('SELECT "revokedAt" FROM api_keys WHERE id = $1', [created.id]);
      expect(row.rows[0].revokedAt).not.toBeNull();
      const list = await call<Page<Key>>('GET', `/v1/tenants/${acme.slug}/api-keys`, { as: platform });
      expect(list.body.items.find((k) => k.id === created.id)?.revokedAt).toEqual(expect.any(String));
    } finally {
      sub.disconnect();
    }
    expectProblem(await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${randomUUID()}`, { as: platform }), 404, 'api_key_not_found');
    expectProblem(await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/not-a-uuid`, { as: platform }), 404, 'api_key_not_found');
  });

  it('writes one api-key.revoked event when revocations race', async () => {
    const created = (await createKey(acme, { name: 'raced', scopes: ['admin'] })).body;
    const results = await Promise.all(Array.from({ length: 5 }, () => call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${created.id}`, { as: platform })));
    expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    const events = await pg.query(`SELECT count(*)::int AS n FROM outbox_events WHERE payload::jsonb->>'type' = 'api-key.revoked' AND payload::jsonb->>'subject' = $1`, [created.id]);
    expect(events.rows[0].n).toBe(1);
  });

  it('resolves hashes for the gateway from the database: tenant, revoked and unknown', async () => {
    const live = (await createKey(acme, { name: 'live', scopes: ['users:write'] })).body;
    const dead = (await createKey(acme, { name: 'dead', scopes: ['users:read'] })).body;
    await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${dead.id}`, { as: platform });
    const unknownHash = sha256(`kl_${randomBytes(32).toString('base64url')}`);
    await redis.del(apiKeyCacheKey(sha256(live.key!)), apiKeyCacheKey(sha256(dead.key!)));

    const tenant = await resolve(sha256(live.key!));
    expect(tenant.status).toBe(200);
    expect(tenant.body).toEqual({ kind: 'tenant', keyId: live.id, tenantId: acme.id, tenantSlug: acme.slug, scopes: ['users:write'] });
    expect(await cached(sha256(live.key!))).toEqual(tenant.body);
    expect((await resolve(sha256(dead.key!))).body).toEqual({ kind: 'revoked', keyId: dead.id, revoked: true });
    expect((await cached(sha256(dead.key!)))?.kind).toBe('revoked');
    expect((await resolve(unknownHash)).body).toEqual({ kind: 'unknown' });
    const ttl = await redis.ttl(apiKeyCacheKey(unknownHash));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);

    expectProblem(await resolve('XYZ'), 400, 'validation_failed');
    expectProblem(await call('POST', API_KEY_RESOLVE_PATH, { json: { hash: unknownHash }, token: 'wrong' }), 401);
  });

  it("answers another tenant's key and narrow keys without touching the tenant's keys", async () => {
    const target = (await createKey(acme, { name: 'target', scopes: ['admin'] })).body;
    const asGlobex = keyOf(globex);
    for (const res of [
      await call('GET', `/v1/tenants/${acme.slug}/api-keys`, { as: asGlobex }),
      await createKey(acme, { name: 'intruder', scopes: ['admin'] }, asGlobex),
      await call('DELETE', `/v1/tenants/${acme.slug}/api-keys/${target.id}`, { as: asGlobex }),
      await call('DELETE', `/v1/tenants/${globex.slug}/api-keys/${target.id}`, { as: asGlobex }),
    ]) {
      const p = expectProblem(res, 404);
      expect(['tenant_not_found', 'api_key_not_found']).toContain(p.code);
      expect(JSON.stringify(p)).not.toContain(acme.id);
    }
    expectProblem(await createKey(acme, { name: 'escalate', scopes: ['admin'] }, keyOf(acme, ['audit:read'])), 403, 'insufficient_scope');
    expect((await pg.query('SELECT "revokedAt" FROM api_keys WHERE id = $1', [target.id])).rows[0].revokedAt).toBeNull();
    expect((await pg.query(`SELECT count(*)::int AS n FROM api_keys WHERE name IN ('intruder', 'escalate')`)).rows[0].n).toBe(0);
  });

  it('keeps answering from the database when Redis is down (the gateway then resolves keys)', async () => {
    const noRedis = await startServiceProcess('directory', {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      INTERNAL_TOKEN: internalToken,
      PLATFORM_ADMIN_API_KEY: adminKey,
    });
    try {
      const degraded = directoryClient(noRedis.url, internalToken);
      expect((await fetch(`${noRedis.url}/health/ready`)).status).toBe(503);
      const created = await degraded<Key>('POST', `/v1/tenants/${acme.slug}/api-keys`, { as: platform, json: { name: 'no-redis', scopes: ['admin'] } });
      expect(created.status).toBe(201);
      expect((await degraded('GET', `/v1/tenants/${acme.slug}/api-keys`, { as: platform })).status).toBe(200);
      expect((await degraded('POST', API_KEY_RESOLVE_PATH, { json: { hash: sha256(created.body.key!) } })).body).toEqual(expect.objectContaining({ kind: 'tenant', keyId: created.body.id }));
      expect((await degraded('DELETE', `/v1/tenants/${acme.slug}/api-keys/${created.body.id}`, { as: platform })).status).toBe(204);
      expect((await resolve(sha256(created.body.key!))).body).toEqual({ kind: 'revoked', keyId: created.body.id, revoked: true });
      expect(noRedis.output()).toContain('could not announce API key revocation');
    } finally {
      await noRedis.stop();
    }
  });

  it('tells a caller who it is without touching storage', async () => {
    const asAcme = keyOf(acme, ['users:read']);
    const me = await call('GET', '/v1/whoami', { as: asAcme });
    expect(me.body).toEqual({ kind: 'tenant', tenantId: acme.id, tenantSlug: acme.slug, keyId: asAcme.keyId, scopes: ['users:read'] });
    expect((await call('GET', '/v1/whoami', { as: platform })).body).toEqual({ kind: 'platform', keyId: platform.keyId, scopes: ['admin'] });
    expectProblem(await call('GET', '/v1/whoami'), 401);
  });
});
