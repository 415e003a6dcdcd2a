import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryTopics } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import type { EventEnvelope } from '@keyline/platform-messaging';
import { REPO_ROOT, ServiceProcess, startServiceProcess, testKafkaBrokers, testRedisDb, waitFor } from '@keyline/platform-testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { newId } from '../core/ids';
import { directoryClient, expectProblem } from '../testing/directory.client';
import { DirectoryUnderTest, Tenant, keyOf, platformKey, startDirectory } from '../testing/directory.harness';

type Group = { id: string; name: string; description: string | null; externalId: string | null; version: number; createdAt: string; updatedAt: string };
type Member = { userId: string; email: string | null; username: string | null; displayName: string | null; status: string; addedAt: string };
type Page<T> = { items: T[]; nextCursor: string | null };

const run = randomBytes(3).toString('hex');
const platform = platformKey;

describe('directory groups (real Postgres, Redis and Kafka)', () => {
  let dir: DirectoryUnderTest;
  let pg: Client;
  let svc: ServiceProcess;
  let call: DirectoryUnderTest['call'];
  let acme: Tenant;
  let globex: Tenant;
  let asAcme: Principal;
  let asGlobex: Principal;

  beforeAll(async () => {
    dir = await startDirectory('groups', 'postgres', { PLATFORM_ADMIN_API_KEY: `kl_admin_${randomBytes(32).toString('base64url')}` });
    ({ svc, call } = dir);
    pg = dir.pg!;
    acme = await dir.tenant('acme');
    globex = await dir.tenant('globex');
    asAcme = keyOf(acme);
    asGlobex = keyOf(globex);
  });

  afterAll(async () => {
    await dir?.stop();
  });

  /** Until the users API is wired, users are rows written straight into the users table. */
  async function user(t: Tenant, fields: { status?: string; email?: string; displayName?: string } = {}): Promise<string> {
    const id = newId();
    const email = fields.email ?? `${id.slice(-12)}@example.test`;
    const now = Date.now();
    await pg.query(
      `INSERT INTO users (id, "tenantId", email, "emailKey", "displayName", status, attributes, "appMetadata", version, "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, '{}', '{}', 1, $7, $7)`,
      [id, t.id, email, email.toLowerCase(), fields.displayName ?? null, fields.status ?? 'active', now],
    );
    return id;
  }

  const create = (body: unknown, as: Principal = asAcme) => call<Group>('POST', '/v1/groups', { as, json: body });
  const outbox = async (type: string, subject: string) =>
    (await pg.query(`SELECT payload FROM outbox_events WHERE payload::jsonb->>'type' = $1 AND payload::jsonb->>'subject' = $2 ORDER BY seq`, [type, subject])).rows.map(
      (r: { payload: string }) => JSON.parse(r.payload) as EventEnvelope<Record<string, unknown>>,
    );

  it('creates, reads, patches and deletes a group, each change with its event', async () => {
    const res = await create({ name: ' Engineering ', description: 'Ships code' });
    expect(res.status).toBe(201);
    const g = res.body;
    expect(g).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Engineering',
      description: 'Ships code',
      externalId: null,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: g.createdAt,
    });
    expect((await call<Group>('GET', `/v1/groups/${g.id}`, { as: asAcme })).body).toEqual(g);
    expect(await outbox('group.created', g.id)).toEqual([
      expect.objectContaining({ tenantId: acme.id, actor: `api-key:${asAcme.keyId}`, subject: g.id, data: { id: g.id, tenantId: acme.id, name: 'Engineering', description: 'Ships code' } }),
    ]);

    const patched = await call<Group>('PATCH', `/v1/groups/${g.id}`, { as: asAcme, json: { name: 'Platform', description: null } });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual(expect.objectContaining({ id: g.id, name: 'Platform', description: null, version: 2, createdAt: g.createdAt }));
    expect((await call('PATCH', `/v1/groups/${g.id}`, { as: asAcme, json: { name: 'Platform' } })).body).toEqual(patched.body);
    expect((await call('PATCH', `/v1/groups/${g.id}`, { as: asAcme, json: {} })).status).toBe(200);
    expect((await outbox('group.updated', g.id)).map((e) => e.data.changes)).toEqual([['name', 'description']]);

    const del = await call('DELETE', `/v1/groups/${g.id}`, { as: asAcme });
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expectProblem(await call('GET', `/v1/groups/${g.id}`, { as: asAcme }), 404, 'group_not_found');
    expectProblem(await call('DELETE', `/v1/groups/${g.id}`, { as: asAcme }), 404, 'group_not_found');
    expect(await outbox('group.deleted', g.id)).toEqual([expect.objectContaining({ data: { id: g.id, tenantId: acme.id, name: 'Platform', description: null } })]);
  });

  it('publishes group events to Kafka through the outbox', async () => {
    const g = (await create({ name: `Kafka ${run}` })).body;
    const kafka = new Kafka({ brokers: testKafkaBrokers(), clientId: `directory-groups-test-${run}`, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `directory-groups-test-${randomUUID()}` });
    const seen: EventEnvelope<Record<string, unknown>>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [DirectoryTopics.group], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString())) });
    try {
      const event = await waitFor(() => seen.find((e) => e.type === 'group.created' && e.subject === g.id), 30_000, 100, 'group.created on Kafka');
      expect(event).toEqual(expect.objectContaining({ tenantId: acme.id, schemaVersion: 1, data: { id: g.id, tenantId: acme.id, name: `Kafka ${run}`, description: null } }));
    } finally {
      await consumer.disconnect();
    }
  });

  it('answers 409 for a taken name in any case; of two parallel creates exactly one wins', async () => {
    expect((await create({ name: 'Taken' })).status).toBe(201);
    const taken = expectProblem(await create({ name: 'TAKEN' }), 409, 'group_name_taken');
    expect(taken.errors).toEqual([{ field: 'name', message: 'name is already taken' }]);
    expect((await create({ name: 'Taken' }, asGlobex)).status).toBe(201);

    const racers = await Promise.all([create({ name: 'Racer' }), create({ name: 'racer' })]);
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = racers.find((r) => r.status === 201)!.body;
    const rows = await pg.query(`SELECT id FROM groups WHERE "tenantId" = $1 AND "nameKey" = 'racer'`, [acme.id]);
    expect(rows.rows).toEqual([{ id: winner.id }]);
    const created = await pg.query(`SELECT count(*)::int AS n FROM outbox_events WHERE payload::jsonb->>'type' = 'group.created' AND payload::jsonb->'data'->>'name' ILIKE 'racer'`);
    expect(created.rows[0].n).toBe(1);
  });

  it('lists groups in pages, filtered by a case-insensitive name prefix', async () => {
    const t = await dir.tenant('list');
    const as = keyOf(t, ['users:read', 'users:write']);
    for (const name of ['Sales EMEA', 'sales_us', 'Support', 'Security']) expect((await create({ name }, as)).status).toBe(201);
    const all: Group[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/groups?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { status: number; body: Page<Group> } = await call<Page<Group>>('GET', path, { as });
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all.map((g) => g.name)).toEqual(['Sales EMEA', 'sales_us', 'Support', 'Security']);
    expect((await call<Page<Group>>('GET', '/v1/groups?q=SALES', { as })).body.items.map((g) => g.name)).toEqual(['Sales EMEA', 'sales_us']);
    expect((await call<Page<Group>>('GET', '/v1/groups?q=s_', { as })).body.items.map((g) => g.name)).toEqual([]);
    expect((await call<Page<Group>>('GET', '/v1/groups?q=sales_', { as })).body.items.map((g) => g.name)).toEqual(['sales_us']);
    expectProblem(await call('GET', '/v1/groups?limit=0', { as }), 400, 'validation_failed');
    expectProblem(await call('GET', '/v1/groups?cursor=bogus', { as }), 400, 'validation_failed');
    expectProblem(await call('GET', '/v1/groups?sort=name', { as }), 400, 'validation_failed');
  });

  it('adds members idempotently, refuses unknown, deleted and other-tenant users naming them, and removes members', async () => {
    const g = (await create({ name: `Members ${run}` })).body;
    const ada = await user(acme, { email: 'ada@acme.test', displayName: 'Ada' });
    const bob = await user(acme, { email: 'bob@acme.test' });
    const deleted = await user(acme, { status: 'deleted' });
    const foreign = await user(globex);
    const missing = randomUUID();

    const bad = expectProblem(await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: [ada, deleted, foreign, missing] } }), 400, 'validation_failed');
    expect(bad.errors).toEqual([
      { field: 'userIds[1]', message: `no user ${deleted}` },
      { field: 'userIds[2]', message: `no user ${foreign}` },
      { field: 'userIds[3]', message: `no user ${missing}` },
    ]);
    expect((await pg.query('SELECT count(*)::int AS n FROM group_members WHERE "groupId" = $1', [g.id])).rows[0].n).toBe(0);

    const added = await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: [ada, bob] } });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ added: [ada, bob] });
    expect((await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: [bob, ada] } })).body).toEqual({ added: [] });
    expect((await call<Group>('GET', `/v1/groups/${g.id}`, { as: asAcme })).body.version).toBe(2);

    const members = await call<Page<Member>>('GET', `/v1/groups/${g.id}/members?limit=1`, { as: asAcme });
    expect(members.body.items).toEqual([{ userId: ada, email: 'ada@acme.test', username: null, displayName: 'Ada', status: 'active', addedAt: expect.any(String) }]);
    const rest = await call<Page<Member>>('GET', `/v1/groups/${g.id}/members?cursor=${encodeURIComponent(members.body.nextCursor!)}`, { as: asAcme });
    expect(rest.body).toEqual({ items: [expect.objectContaining({ userId: bob, email: 'bob@acme.test' })], nextCursor: null });
    expect((await call<Page<Group>>('GET', `/v1/users/${bob}/groups`, { as: asAcme })).body.items.map((x) => x.id)).toEqual([g.id]);

    expect((await call('DELETE', `/v1/groups/${g.id}/members/${bob}`, { as: asAcme })).status).toBe(204);
    expect((await call('DELETE', `/v1/groups/${g.id}/members/${bob}`, { as: asAcme })).status).toBe(204);
    expect((await call('DELETE', `/v1/groups/${g.id}/members/${missing}`, { as: asAcme })).status).toBe(204);
    expect((await call<Page<Member>>('GET', `/v1/groups/${g.id}/members`, { as: asAcme })).body.items.map((m) => m.userId)).toEqual([ada]);
    expect((await call<Group>('GET', `/v1/groups/${g.id}`, { as: asAcme })).body.version).toBe(3);
    expect((await outbox('group.members-added', g.id)).map((e) => e.data.userIds)).toEqual([[ada, bob]]);
    expect((await outbox('group.members-removed', g.id)).map((e) => e.data.userIds)).toEqual([[bob]]);

    expectProblem(await call('GET', `/v1/users/${deleted}/groups`, { as: asAcme }), 404, 'user_not_found');
    expectProblem(await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: ['not-a-uuid'] } }), 400, 'validation_failed');
    expectProblem(await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: [] } }), 400, 'validation_failed');
    const tooMany = Array.from({ length: 1001 }, () => randomUUID());
    expectProblem(await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: tooMany } }), 400, 'validation_failed');
  });

  it("answers another tenant's key with 404 for every group route and never lists the group", async () => {
    const g = (await create({ name: `Private ${run}` })).body;
    const member = await user(acme);
    await call('POST', `/v1/groups/${g.id}/members`, { as: asAcme, json: { userIds: [member] } });
    const intruder = await user(globex);
    for (const res of [
      await call('GET', `/v1/groups/${g.id}`, { as: asGlobex }),
      await call('PATCH', `/v1/groups/${g.id}`, { as: asGlobex, json: { name: 'Hijacked' } }),
      await call('DELETE', `/v1/groups/${g.id}`, { as: asGlobex }),
      await call('GET', `/v1/groups/${g.id}/members`, { as: asGlobex }),
      await call('POST', `/v1/groups/${g.id}/members`, { as: asGlobex, json: { userIds: [intruder] } }),
      await call('DELETE', `/v1/groups/${g.id}/members/${member}`, { as: asGlobex }),
      await call('GET', `/v1/groups/${randomUUID()}`, { as: asAcme }),
      await call('GET', '/v1/groups/not-an-id', { as: asAcme }),
    ]) {
      const p = expectProblem(res, 404, 'group_not_found');
      expect(JSON.stringify(p)).not.toContain(acme.id);
    }
    expectProblem(await call('GET', `/v1/users/${member}/groups`, { as: asGlobex }), 404, 'user_not_found');
    const theirs = await call<Page<Group>>('GET', '/v1/groups?limit=200', { as: asGlobex });
    expect(theirs.body.items.map((x) => x.id)).not.toContain(g.id);
    expect((await call<Page<Group>>('GET', `/v1/groups?q=${encodeURIComponent('Private')}`, { as: asGlobex })).body.items).toEqual([]);
    const still = await call<Group>('GET', `/v1/groups/${g.id}`, { as: asAcme });
    expect(still.body).toEqual(expect.objectContaining({ name: `Private ${run}`, version: 2 }));
    expect((await call<Page<Member>>('GET', `/v1/groups/${g.id}/members`, { as: asAcme })).body.items.map((m) => m.userId)).toEqual([member]);
  });

  it('needs users:read to read and users:write to change; the platform key is not a tenant key', async () => {
    const g = (await create({ name: `Scoped ${run}` })).body;
    const reader = keyOf(acme, ['users:read']);
    expect((await call('GET', `/v1/groups/${g.id}`, { as: reader })).status).toBe(200);
    expect((await call('GET', '/v1/groups', { as: reader })).status).toBe(200);
    expect((await call('GET', `/v1/groups/${g.id}/members`, { as: reader })).status).toBe(200);
    for (const res of [
      await call('POST', '/v1/groups', { as: reader, json: { name: `Sneaky ${run}` } }),
      await call('PATCH', `/v1/groups/${g.id}`, { as: reader, json: { name: 'Renamed' } }),
      await call('DELETE', `/v1/groups/${g.id}`, { as: reader }),
      await call('POST', `/v1/groups/${g.id}/members`, { as: reader, json: { userIds: [randomUUID()] } }),
      await call('DELETE', `/v1/groups/${g.id}/members/${randomUUID()}`, { as: reader }),
      await call('GET', `/v1/groups/${g.id}`, { as: keyOf(acme, ['audit:read']) }),
    ]) {
      expectProblem(res, 403, 'insufficient_scope');
    }
    expectProblem(await call('GET', '/v1/groups', { as: platform }), 403, 'tenant_required');
    expectProblem(await call('GET', '/v1/groups'), 401);
    expect((await pg.query(`SELECT count(*)::int AS n FROM groups WHERE name = $1`, [`Sneaky ${run}`])).rows[0].n).toBe(0);
    expect((await call<Group>('GET', `/v1/groups/${g.id}`, { as: reader })).body.version).toBe(1);
  });

  it('rejects bad bodies with field errors and writes nothing', async () => {
    const before = (await pg.query('SELECT count(*)::int AS n FROM groups')).rows[0].n;
    expect(expectProblem(await create({ name: 'x', colour: 'red' }), 400, 'validation_failed').errors).toEqual([{ field: 'colour', message: 'unknown field' }]);
    expect(expectProblem(await create({ name: '' }), 400, 'validation_failed').errors).toEqual([expect.objectContaining({ field: 'name' })]);
    expect(expectProblem(await create({ name: 'x'.repeat(201) }), 400, 'validation_failed').errors).toEqual([expect.objectContaining({ field: 'name' })]);
    expect(expectProblem(await create({ name: 'ok', description: 'x'.repeat(1001) }), 400, 'validation_failed').errors).toEqual([expect.objectContaining({ field: 'description' })]);
    expect(expectProblem(await create({ name: 'nul', description: 'a\u0000b' }), 400, 'validation_failed').errors).toEqual([expect.objectContaining({ field: 'description' })]);
    expectProblem(await call('POST', '/v1/groups', { as: asAcme, body: '{"name": ', contentType: 'application/json' }), 400, 'malformed_json');
    const g = (await create({ name: `Patch target ${run}` })).body;
    expectProblem(await call('PATCH', `/v1/groups/${g.id}`, { as: asAcme, json: { name: null } }), 400, 'validation_failed');
    expectProblem(await call('PATCH', `/v1/groups/${g.id}`, { as: asAcme, json: { version: 7 } }), 400, 'validation_failed');
    expect((await pg.query('SELECT count(*)::int AS n FROM groups')).rows[0].n).toBe(before + 1);
  });

  it('documents the group routes in OpenAPI', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/groups', '/v1/groups/{id}', '/v1/groups/{id}/members', '/v1/groups/{id}/members/{userId}', '/v1/users/{id}/groups']));
    expect(Object.keys(doc.paths['/v1/groups/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
  });
});

describe('directory groups on embedded SQLite', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyline-groups-'));
  let svc: ServiceProcess | undefined;

  afterAll(async () => {
    await svc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Writes a user row from a separate process (better-sqlite3 inside jest is fragile; see filter.sql.spec.ts). */
  function sqliteUser(tenantId: string): string {
    const id = newId();
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('busy_timeout = 5000');
      db.prepare("INSERT INTO users (id, tenantId, email, emailKey, status, attributes, appMetadata, version, createdAt, updatedAt) VALUES (?, ?, ?, ?, 'active', '{}', '{}', 1, 0, 0)")
        .run(process.argv[2], process.argv[3], process.argv[4], process.argv[4]); db.close();`;
    execFileSync(process.execPath, ['-e', script, join(dataDir, 'directory.sqlite'), id, tenantId, `${id.slice(-12)}@sqlite.test`], { cwd: REPO_ROOT });
    return id;
  }

  it('runs the same SQL: prefix search, members, role assignments and effective roles', async () => {
    const internalToken = randomBytes(24).toString('base64url');
    svc = await startServiceProcess('directory', {
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PLATFORM_ADMIN_API_KEY: `kl_admin_${randomBytes(32).toString('base64url')}`,
      REDIS_URL: testRedisDb(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      INTERNAL_TOKEN: internalToken,
    });
    const call = directoryClient(svc.url, internalToken);
    const t = (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `sqlite-${run}`, name: 'SQLite' } })).body;
    const as = keyOf(t);
    const g = (await call<Group>('POST', '/v1/groups', { as, json: { name: 'Ops_Team' } })).body;
    expect((await call('POST', '/v1/groups', { as, json: { name: 'OPS_TEAM' } })).status).toBe(409);
    await call('POST', '/v1/groups', { as, json: { name: 'Opsx' } });
    expect((await call<Page<Group>>('GET', '/v1/groups?q=ops_', { as })).body.items.map((x) => x.name)).toEqual(['Ops_Team']);

    const u = sqliteUser(t.id);
    expect((await call('POST', `/v1/groups/${g.id}/members`, { as, json: { userIds: [u] } })).body).toEqual({ added: [u] });
    expectProblem(await call('POST', `/v1/groups/${g.id}/members`, { as, json: { userIds: [randomUUID()] } }), 400, 'validation_failed');
    expect((await call<Page<Member>>('GET', `/v1/groups/${g.id}/members`, { as })).body.items.map((m) => m.userId)).toEqual([u]);
    expect((await call<Page<Group>>('GET', `/v1/users/${u}/groups`, { as })).body.items.map((x) => x.id)).toEqual([g.id]);

    const role = (await call<{ id: string }>('POST', '/v1/roles', { as, json: { name: 'Operator', permissions: ['ops:run'] } })).body;
    expect((await call('PUT', `/v1/groups/${g.id}/roles/${role.id}`, { as })).status).toBe(204);
    expect((await call('PUT', `/v1/users/${u}/roles/${role.id}`, { as })).status).toBe(204);
    const effective = await call<{ items: { id: string; sources: unknown[] }[] }>('GET', `/v1/users/${u}/roles`, { as });
    expect(effective.body.items).toEqual([expect.objectContaining({ id: role.id, permissions: ['ops:run'], sources: [{ type: 'direct' }, { type: 'group', groupId: g.id, groupName: 'Ops_Team' }] })]);
    expect((await call('DELETE', `/v1/groups/${g.id}`, { as })).status).toBe(204);
    expect((await call<{ items: { sources: unknown[] }[] }>('GET', `/v1/users/${u}/roles`, { as })).body.items[0].sources).toEqual([{ type: 'direct' }]);
  });
});
