import { randomBytes, randomUUID } from 'node:crypto';
import { DirectoryTopics, tenantCorsKey } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import type { EventEnvelope } from '@keyline/platform-messaging';
import { ServiceProcess, TestDatabase, createTestDatabase, startServiceProcess, testKafkaBrokers, testRedisDb, waitFor } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { directoryClient, expectProblem } from '../testing/directory.client';

type Tenant = { id: string; slug: string; name: string; issuer: string; corsOrigins: string[]; createdAt: string; updatedAt: string };
type Page<T> = { items: T[]; nextCursor: string | null };

const run = randomBytes(3).toString('hex');
const slug = (name: string) => `${name}-${run}`;
const PUBLIC_URL = 'https://id.example.test';
const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
const keyOf = (t: Tenant, scopes = ['admin']): Principal => ({ kind: 'tenant', keyId: randomUUID(), tenantId: t.id, tenantSlug: t.slug, scopes });

describe('directory tenants (real Postgres, Redis and Kafka)', () => {
  let db: TestDatabase;
  let pg: Client;
  let redis: Redis;
  let svc: ServiceProcess;
  let call: ReturnType<typeof directoryClient>;

  beforeAll(async () => {
    db = await createTestDatabase('directory_tenants');
    const redisUrl = testRedisDb();
    const internalToken = randomBytes(24).toString('base64url');
    svc = await startServiceProcess('directory', {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      INTERNAL_TOKEN: internalToken,
      PUBLIC_URL,
      PLATFORM_ADMIN_API_KEY: `kl_admin_${randomBytes(32).toString('base64url')}`,
      OUTBOX_POLL_MS: '50',
    });
    call = directoryClient(svc.url, internalToken);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redis = new Redis(redisUrl, { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    await svc?.stop();
    await pg?.end();
    redis?.disconnect();
    await db?.drop();
  });

  const create = (body: unknown, as: Principal = platform) => call<Tenant>('POST', '/v1/tenants', { as, json: body });
  const outboxCount = async (type: string, tenantId: string) =>
    Number((await pg.query(`SELECT count(*)::int AS n FROM outbox_events WHERE payload::jsonb->>'type' = $1 AND payload::jsonb->>'tenantId' = $2`, [type, tenantId])).rows[0].n);

  it('creates a tenant with its issuer, and publishes its CORS origins to Redis', async () => {
    const res = await create({ slug: slug('acme'), name: 'Acme Inc', corsOrigins: ['https://App.acme.test/', 'http://localhost:3000'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      slug: slug('acme'),
      name: 'Acme Inc',
      issuer: `${PUBLIC_URL}/t/${slug('acme')}`,
      corsOrigins: ['http://localhost:3000', 'https://app.acme.test'],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.parse((await redis.get(tenantCorsKey(slug('acme'))))!)).toEqual(['http://localhost:3000', 'https://app.acme.test']);
    const row = await pg.query('SELECT slug, name, "corsOrigins" FROM tenants WHERE id = $1', [res.body.id]);
    expect(row.rows).toEqual([{ slug: slug('acme'), name: 'Acme Inc', corsOrigins: '["http://localhost:3000","https://app.acme.test"]' }]);

    const got = await call<Tenant>('GET', `/v1/tenants/${slug('acme')}`, { as: platform });
    expect(got.body).toEqual(res.body);
    const own = await call<Tenant>('GET', `/v1/tenants/${slug('acme')}`, { as: keyOf(res.body, ['tenants:read']) });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(res.body.id);
  });

  it('publishes tenant.created to Kafka through the outbox', async () => {
    const res = await create({ slug: slug('kafka'), name: 'Kafka Co' });
    expect(res.status).toBe(201);
    const kafka = new Kafka({ brokers: testKafkaBrokers(), clientId: `directory-test-${run}`, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `directory-test-${randomUUID()}` });
    const seen: EventEnvelope<Record<string, unknown>>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [DirectoryTopics.tenant], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString())) });
    try {
      const event = await waitFor(() => seen.find((e) => e.type === 'tenant.created' && e.tenantId === res.body.id), 30_000, 100, 'tenant.created on Kafka');
      expect(event).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          subject: res.body.id,
          actor: `platform-admin:${platform.keyId}`,
          schemaVersion: 1,
          data: { id: res.body.id, slug: slug('kafka'), name: 'Kafka Co', createdAt: res.body.createdAt, corsOrigins: [] },
        }),
      );
    } finally {
      await consumer.disconnect();
    }
    await waitFor(async () => (await pg.query('SELECT count(*)::int AS n FROM outbox_events WHERE "sentAt" IS NULL')).rows[0].n === 0, 10_000, 100, 'outbox drained');
  });

  it('answers 409 for a taken slug, also under a race, and leaves no extra row or event', async () => {
    const first = await create({ slug: slug('taken'), name: 'First' });
    expect(first.status).toBe(201);
    expectProblem(await create({ slug: slug('taken'), name: 'Second' }), 409, 'slug_taken');

    const racers = await Promise.all(Array.from({ length: 6 }, (_, i) => create({ slug: slug('race'), name: `Racer ${i}` })));
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = racers.find((r) => r.status === 201)!.body;

    for (const [s, id] of [
      [slug('taken'), first.body.id],
      [slug('race'), winner.id],
    ]) {
      expect((await pg.query('SELECT count(*)::int AS n FROM tenants WHERE slug = $1', [s])).rows[0].n).toBe(1);
      expect(await outboxCount('tenant.created', id)).toBe(1);
    }
    const names = (await pg.query(`SELECT payload::jsonb->'data'->>'name' AS name FROM outbox_events WHERE payload::jsonb->'data'->>'slug' = $1`, [slug('taken')])).rows;
    expect(names).toEqual([{ name: 'First' }]);
  });

  it('rejects bad input with 4xx problem+json and field errors, writing nothing', async () => {
    const before = Number((await pg.query('SELECT count(*)::int AS n FROM tenants')).rows[0].n);
    const badSlug = expectProblem(await create({ slug: 'Not A Slug!', name: 'x' }), 400, 'validation_failed');
    expect(badSlug.errors).toEqual([expect.objectContaining({ field: 'slug' })]);
    const unknown = expectProblem(await create({ slug: slug('unknown'), name: 'x', colour: 'red' }), 400, 'validation_failed');
    expect(unknown.errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    const wrongType = expectProblem(await create({ slug: 42, name: { first: 'x' }, corsOrigins: 'https://a.test' }), 400, 'validation_failed');
    expect([...new Set(wrongType.errors!.map((e) => e.field))].sort()).toEqual(['corsOrigins', 'name', 'slug']);
    expectProblem(await call('POST', '/v1/tenants', { as: platform, body: '{"slug": "x", ', contentType: 'application/json' }), 400, 'malformed_json');
    expectProblem(await call('POST', '/v1/tenants', { as: platform, body: 'slug=x', contentType: 'text/plain' }), 415, 'unsupported_media_type');
    const form = `slug=${slug('form')}&name=Form`;
    expectProblem(await call('POST', '/v1/tenants', { as: platform, body: form, contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    const badOrigin = expectProblem(await create({ slug: slug('origin'), name: 'x', corsOrigins: ['*'] }), 400, 'validation_failed');
    expect(badOrigin.errors).toEqual([expect.objectContaining({ field: 'corsOrigins' })]);
    expect(Number((await pg.query('SELECT count(*)::int AS n FROM tenants')).rows[0].n)).toBe(before);
  });

  it('patches name and origins in one tenant.updated event, and ignores a no-op', async () => {
    const t = (await create({ slug: slug('patch'), name: 'Before' })).body;
    const res = await call<Tenant>('PATCH', `/v1/tenants/${t.slug}`, { as: keyOf(t), json: { name: 'After', corsOrigins: ['https://b.test'] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ id: t.id, slug: t.slug, name: 'After', corsOrigins: ['https://b.test'], createdAt: t.createdAt }));
    expect(JSON.parse((await redis.get(tenantCorsKey(t.slug)))!)).toEqual(['https://b.test']);
    expect((await call<Tenant>('GET', `/v1/tenants/${t.slug}`, { as: platform })).body.name).toBe('After');
    const events = await pg.query(`SELECT payload::jsonb->'data'->'changes' AS changes FROM outbox_events WHERE payload::jsonb->>'type' = 'tenant.updated' AND payload::jsonb->>'tenantId' = $1`, [t.id]);
    expect(events.rows).toEqual([{ changes: ['name', 'corsOrigins'] }]);

    expect((await call('PATCH', `/v1/tenants/${t.slug}`, { as: platform, json: { name: 'After' } })).status).toBe(200);
    expect(await outboxCount('tenant.updated', t.id)).toBe(1);
    expectProblem(await call('PATCH', `/v1/tenants/${t.slug}`, { as: platform, json: { slug: 'renamed' } }), 400, 'validation_failed');
    expectProblem(await call('PATCH', `/v1/tenants/${t.slug}`, { as: platform, json: { name: null } }), 400, 'validation_failed');
    expectProblem(await call('PATCH', `/v1/tenants/${t.slug}`, { as: keyOf(t, ['users:read']), json: { name: 'X' } }), 403, 'insufficient_scope');
  });

  it("answers another tenant's key with 404 and never shows that tenant", async () => {
    const a = (await create({ slug: slug('tenant-a'), name: 'A' })).body;
    const b = (await create({ slug: slug('tenant-b'), name: 'B' })).body;
    const asB = keyOf(b);
    for (const res of [
      await call('GET', `/v1/tenants/${a.slug}`, { as: asB }),
      await call('PATCH', `/v1/tenants/${a.slug}`, { as: asB, json: { name: 'Hijacked' } }),
    ]) {
      expectProblem(res, 404, 'tenant_not_found');
      expect(JSON.stringify(res.body)).not.toContain(a.id);
    }
    expect((await call<Tenant>('GET', `/v1/tenants/${a.slug}`, { as: platform })).body.name).toBe('A');
    expectProblem(await call('GET', `/v1/tenants/${slug('missing')}`, { as: platform }), 404, 'tenant_not_found');
    expectProblem(await call('GET', '/v1/tenants', { as: asB }), 403);
    expectProblem(await call('POST', '/v1/tenants', { as: asB, json: { slug: slug('by-tenant'), name: 'x' } }), 403);
  });

  it('lists every tenant to the platform admin in pages', async () => {
    const all: Tenant[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { status: number; body: Page<Tenant> } = await call<Page<Tenant>>('GET', path, { as: platform });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const ids = (await pg.query('SELECT id FROM tenants ORDER BY id')).rows.map((r: { id: string }) => r.id);
    expect(all.map((t) => t.id)).toEqual(ids);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expectProblem(await call('GET', '/v1/tenants?limit=201', { as: platform }), 400, 'validation_failed');
    expectProblem(await call('GET', '/v1/tenants?cursor=bogus', { as: platform }), 400, 'validation_failed');
  });

  it('documents the public routes in OpenAPI 3.1, and not the internal one', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1/);
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/tenants',
        '/v1/tenants/{slug}',
        '/v1/tenants/{slug}/api-keys',
        '/v1/tenants/{slug}/api-keys/{id}',
        '/v1/whoami',
        '/v1/users',
        '/v1/users/{id}',
        '/v1/profile-schema',
        '/v1/groups',
        '/v1/groups/{id}/members',
        '/v1/roles',
        '/v1/users/{id}/roles',
        '/v1/users/imports',
        '/scim/v2/Users',
        '/scim/v2/Users/{id}',
        '/scim/v2/Groups',
        '/scim/v2/Bulk',
        '/scim/v2/ServiceProviderConfig',
      ]),
    );
    expect(paths.filter((p) => !p.startsWith('/v1/') && !p.startsWith('/scim/v2'))).toEqual([]);
  });

  it('trusts only the gateway: no internal token or no principal is 401', async () => {
    expectProblem(await call('GET', '/v1/tenants', { as: platform, token: null }), 401);
    expectProblem(await call('GET', '/v1/tenants', { as: platform, token: 'wrong' }), 401);
    expectProblem(await call('GET', '/v1/tenants'), 401);
  });
});
