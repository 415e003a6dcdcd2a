import { randomBytes, randomUUID } from 'node:crypto';
import { DirectoryTopics } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import type { EventEnvelope } from '@keyline/platform-messaging';
import { ServiceProcess, testKafkaBrokers, waitFor } from '@keyline/platform-testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { newId } from '../core/ids';
import { expectProblem } from '../testing/directory.client';
import { DirectoryUnderTest, Tenant, keyOf, platformKey, startDirectory } from '../testing/directory.harness';

type Role = { id: string; name: string; description: string | null; permissions: string[]; version: number; createdAt: string; updatedAt: string };
type Source = { type: 'direct' } | { type: 'group'; groupId: string; groupName: string };
type Effective = { id: string; name: string; description: string | null; permissions: string[]; sources: Source[] };
type Page<T> = { items: T[]; nextCursor: string | null };

const run = randomBytes(3).toString('hex');
const platform = platformKey;

describe('directory roles (real Postgres, Redis and Kafka)', () => {
  let dir: DirectoryUnderTest;
  let pg: Client;
  let svc: ServiceProcess;
  let call: DirectoryUnderTest['call'];
  let acme: Tenant;
  let globex: Tenant;
  let asAcme: Principal;
  let asGlobex: Principal;

  beforeAll(async () => {
    dir = await startDirectory('roles', 'postgres', { PLATFORM_ADMIN_API_KEY: `kl_admin_${randomBytes(32).toString('base64url')}` });
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
  async function user(t: Tenant, status = 'active'): Promise<string> {
    const id = newId();
    const now = Date.now();
    await pg.query(
      `INSERT INTO users (id, "tenantId", email, "emailKey", status, attributes, "appMetadata", version, "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $3, $4, '{}', '{}', 1, $5, $5)`,
      [id, t.id, `${id.slice(-12)}@example.test`, status, now],
    );
    return id;
  }

  const createRole = (body: unknown, as: Principal = asAcme) => call<Role>('POST', '/v1/roles', { as, json: body });
  const createGroup = async (name: string, as: Principal = asAcme) => (await call<{ id: string }>('POST', '/v1/groups', { as, json: { name } })).body;
  const addMembers = (groupId: string, userIds: string[], as: Principal = asAcme) => call('POST', `/v1/groups/${groupId}/members`, { as, json: { userIds } });
  const effective = async (userId: string, as: Principal = asAcme) => (await call<{ items: Effective[] }>('GET', `/v1/users/${userId}/roles`, { as })).body.items;
  const outbox = async (type: string, subject: string) =>
    (await pg.query(`SELECT payload FROM outbox_events WHERE payload::jsonb->>'type' = $1 AND payload::jsonb->>'subject' = $2 ORDER BY seq`, [type, subject])).rows.map(
      (r: { payload: string }) => JSON.parse(r.payload) as EventEnvelope<Record<string, unknown>>,
    );

  it('creates, reads, patches and deletes roles with sorted, distinct permissions', async () => {
    const res = await createRole({ name: 'Billing admin', description: 'Invoices', permissions: ['invoices:write', 'invoices:read', 'invoices:write'] });
    expect(res.status).toBe(201);
    const r = res.body;
    expect(r).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Billing admin',
      description: 'Invoices',
      permissions: ['invoices:read', 'invoices:write'],
      version: 1,
      createdAt: expect.any(String),
      updatedAt: r.createdAt,
    });
    expect((await call<Role>('GET', `/v1/roles/${r.id}`, { as: asAcme })).body).toEqual(r);
    expect((await pg.query('SELECT permissions FROM roles WHERE id = $1', [r.id])).rows).toEqual([{ permissions: '["invoices:read","invoices:write"]' }]);

    const patched = await call<Role>('PATCH', `/v1/roles/${r.id}`, { as: asAcme, json: { permissions: ['payments:read'], description: null } });
    expect(patched.body).toEqual(expect.objectContaining({ name: 'Billing admin', description: null, permissions: ['payments:read'], version: 2 }));
    expect((await call<Role>('PATCH', `/v1/roles/${r.id}`, { as: asAcme, json: { permissions: ['payments:read', 'payments:read'] } })).body.version).toBe(2);
    expect((await outbox('role.updated', r.id)).map((e) => e.data)).toEqual([
      { id: r.id, tenantId: acme.id, name: 'Billing admin', description: null, permissions: ['payments:read'], changes: ['description', 'permissions'] },
    ]);

    expect((await call<Page<Role>>('GET', '/v1/roles?q=BILLING', { as: asAcme })).body.items.map((x) => x.id)).toContain(r.id);
    expect((await call('DELETE', `/v1/roles/${r.id}`, { as: asAcme })).status).toBe(204);
    expectProblem(await call('GET', `/v1/roles/${r.id}`, { as: asAcme }), 404, 'role_not_found');
    expect(await outbox('role.deleted', r.id)).toHaveLength(1);

    for (const permissions of [['Invoices:Read'], [''], ['a b'], Array.from({ length: 101 }, (_, i) => `p${i}`)]) {
      expect(expectProblem(await createRole({ name: `Bad ${run}`, permissions }), 400, 'validation_failed').errors).toEqual([expect.objectContaining({ field: 'permissions' })]);
    }
  });

  it('answers 409 for a taken name in any case; of two parallel creates exactly one wins', async () => {
    expect((await createRole({ name: 'Viewer' })).status).toBe(201);
    expectProblem(await createRole({ name: 'VIEWER' }), 409, 'role_name_taken');
    expect((await createRole({ name: 'Viewer' }, asGlobex)).status).toBe(201);
    const racers = await Promise.all([createRole({ name: 'Racer' }), createRole({ name: 'RACER' })]);
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await pg.query(`SELECT count(*)::int AS n FROM roles WHERE "tenantId" = $1 AND "nameKey" = 'racer'`, [acme.id])).rows[0].n).toBe(1);
  });

  it("gives a user its effective roles: direct and through groups, each once with its sources", async () => {
    const admin = (await createRole({ name: `Admin ${run}`, permissions: ['all'] })).body;
    const support = (await createRole({ name: `Support ${run}`, permissions: ['tickets:read'] })).body;
    const u = await user(acme);
    const ops = await createGroup(`Ops ${run}`);
    const eng = await createGroup(`Eng ${run}`);
    expect((await addMembers(ops.id, [u])).status).toBe(200);
    expect((await addMembers(eng.id, [u])).status).toBe(200);

    for (const path of [`/v1/users/${u}/roles/${admin.id}`, `/v1/groups/${ops.id}/roles/${admin.id}`, `/v1/groups/${eng.id}/roles/${admin.id}`, `/v1/groups/${eng.id}/roles/${support.id}`]) {
      const res = await call('PUT', path, { as: asAcme });
      expect(res.status).toBe(204);
      expect((await call('PUT', path, { as: asAcme })).status).toBe(204);
    }
    expect(await outbox('role.assigned', admin.id)).toHaveLength(3);
    expect((await outbox('role.assigned', support.id)).map((e) => e.data)).toEqual([{ roleId: support.id, tenantId: acme.id, subjectType: 'group', subjectId: eng.id }]);

    expect(await effective(u)).toEqual([
      {
        id: admin.id,
        name: `Admin ${run}`,
        description: null,
        permissions: ['all'],
        sources: [{ type: 'direct' }, { type: 'group', groupId: eng.id, groupName: `Eng ${run}` }, { type: 'group', groupId: ops.id, groupName: `Ops ${run}` }],
      },
      { id: support.id, name: `Support ${run}`, description: null, permissions: ['tickets:read'], sources: [{ type: 'group', groupId: eng.id, groupName: `Eng ${run}` }] },
    ]);
    expect((await call<Page<Role>>('GET', `/v1/groups/${eng.id}/roles`, { as: asAcme })).body.items.map((r) => r.id)).toEqual([admin.id, support.id]);

    // Taking a role away, leaving a group and deleting one each shrink the sources.
    expect((await call('DELETE', `/v1/users/${u}/roles/${admin.id}`, { as: asAcme })).status).toBe(204);
    expect((await call('DELETE', `/v1/users/${u}/roles/${admin.id}`, { as: asAcme })).status).toBe(204);
    expect(await outbox('role.unassigned', admin.id)).toHaveLength(1);
    expect((await call('DELETE', `/v1/groups/${ops.id}/members/${u}`, { as: asAcme })).status).toBe(204);
    expect((await effective(u)).map((e) => [e.id, e.sources])).toEqual([
      [admin.id, [{ type: 'group', groupId: eng.id, groupName: `Eng ${run}` }]],
      [support.id, [{ type: 'group', groupId: eng.id, groupName: `Eng ${run}` }]],
    ]);
    expect((await call('DELETE', `/v1/groups/${eng.id}`, { as: asAcme })).status).toBe(204);
    expect(await effective(u)).toEqual([]);
    expect((await pg.query('SELECT count(*)::int AS n FROM role_assignments WHERE "subjectId" = $1', [eng.id])).rows[0].n).toBe(0);
  });

  it('deletes a role with all its assignments', async () => {
    const r = (await createRole({ name: `Doomed ${run}` })).body;
    const u = await user(acme);
    const g = await createGroup(`Doomed group ${run}`);
    await addMembers(g.id, [u]);
    await call('PUT', `/v1/users/${u}/roles/${r.id}`, { as: asAcme });
    await call('PUT', `/v1/groups/${g.id}/roles/${r.id}`, { as: asAcme });
    expect((await effective(u)).map((e) => e.id)).toEqual([r.id]);
    expect((await call('DELETE', `/v1/roles/${r.id}`, { as: asAcme })).status).toBe(204);
    expect(await effective(u)).toEqual([]);
    expect((await pg.query('SELECT count(*)::int AS n FROM role_assignments WHERE "roleId" = $1', [r.id])).rows[0].n).toBe(0);
  });

  it('answers 404 for unknown, deleted and other-tenant users, groups and roles, writing nothing', async () => {
    const r = (await createRole({ name: `Mine ${run}` })).body;
    const u = await user(acme);
    const g = await createGroup(`Mine ${run}`);
    const theirRole = (await createRole({ name: `Theirs ${run}` }, asGlobex)).body;
    const theirUser = await user(globex);
    const deleted = await user(acme, 'deleted');
    const cases: [string, string, string][] = [
      ['PUT', `/v1/users/${theirUser}/roles/${r.id}`, 'user_not_found'],
      ['PUT', `/v1/users/${deleted}/roles/${r.id}`, 'user_not_found'],
      ['PUT', `/v1/users/${randomUUID()}/roles/${r.id}`, 'user_not_found'],
      ['PUT', `/v1/users/${u}/roles/${theirRole.id}`, 'role_not_found'],
      ['PUT', `/v1/users/${u}/roles/not-a-role`, 'role_not_found'],
      ['DELETE', `/v1/users/${u}/roles/${randomUUID()}`, 'role_not_found'],
      ['PUT', `/v1/groups/${randomUUID()}/roles/${r.id}`, 'group_not_found'],
      ['GET', `/v1/groups/${randomUUID()}/roles`, 'group_not_found'],
      ['GET', `/v1/users/${deleted}/roles`, 'user_not_found'],
      ['GET', `/v1/users/${theirUser}/roles`, 'user_not_found'],
    ];
    for (const [method, path, code] of cases) expectProblem(await call(method, path, { as: asAcme }), 404, code);
    for (const [method, path] of [
      ['GET', `/v1/roles/${r.id}`],
      ['PATCH', `/v1/roles/${r.id}`],
      ['DELETE', `/v1/roles/${r.id}`],
      ['PUT', `/v1/users/${theirUser}/roles/${r.id}`],
    ]) {
      const p = expectProblem(await call(method, path, { as: asGlobex, json: method === 'PATCH' ? { name: 'Hijacked' } : undefined }), 404, 'role_not_found');
      expect(JSON.stringify(p)).not.toContain(acme.id);
    }
    for (const [method, path] of [
      ['GET', `/v1/users/${u}/roles`],
      ['GET', `/v1/groups/${g.id}/roles`],
      ['PUT', `/v1/users/${u}/roles/${theirRole.id}`],
      ['PUT', `/v1/groups/${g.id}/roles/${theirRole.id}`],
    ]) {
      expectProblem(await call(method, path, { as: asGlobex }), 404);
    }
    expect((await call<Page<Role>>('GET', '/v1/roles?limit=200', { as: asGlobex })).body.items.map((x) => x.id)).not.toContain(r.id);
    expect((await call<Role>('GET', `/v1/roles/${r.id}`, { as: asAcme })).body.name).toBe(`Mine ${run}`);
    expect((await pg.query('SELECT count(*)::int AS n FROM role_assignments WHERE "roleId" IN ($1, $2)', [r.id, theirRole.id])).rows[0].n).toBe(0);
  });

  it('needs users:read to read and users:write to change', async () => {
    const r = (await createRole({ name: `Scoped ${run}` })).body;
    const u = await user(acme);
    const reader = keyOf(acme, ['users:read']);
    const writer = keyOf(acme, ['users:write']);
    expect((await call('GET', `/v1/roles/${r.id}`, { as: reader })).status).toBe(200);
    expect((await call('GET', `/v1/users/${u}/roles`, { as: reader })).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/v1/roles'],
      ['PATCH', `/v1/roles/${r.id}`],
      ['DELETE', `/v1/roles/${r.id}`],
      ['PUT', `/v1/users/${u}/roles/${r.id}`],
      ['DELETE', `/v1/users/${u}/roles/${r.id}`],
    ]) {
      expectProblem(await call(method, path, { as: reader, json: method === 'POST' || method === 'PATCH' ? { name: 'x' } : undefined }), 403, 'insufficient_scope');
    }
    expectProblem(await call('GET', `/v1/users/${u}/roles`, { as: writer }), 403, 'insufficient_scope');
    expect((await call('PUT', `/v1/users/${u}/roles/${r.id}`, { as: writer })).status).toBe(204);
    expectProblem(await call('GET', '/v1/roles', { as: platform }), 403, 'tenant_required');
  });

  it('publishes role events to Kafka through the outbox', async () => {
    const r = (await createRole({ name: `Kafka ${run}`, permissions: ['k:read'] })).body;
    const u = await user(acme);
    await call('PUT', `/v1/users/${u}/roles/${r.id}`, { as: asAcme });
    const kafka = new Kafka({ brokers: testKafkaBrokers(), clientId: `directory-roles-test-${run}`, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `directory-roles-test-${randomUUID()}` });
    const seen: EventEnvelope<Record<string, unknown>>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [DirectoryTopics.role], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString())) });
    try {
      await waitFor(() => seen.some((e) => e.type === 'role.assigned' && e.subject === r.id), 30_000, 100, 'role.assigned on Kafka');
      expect(seen.filter((e) => e.subject === r.id).map((e) => [e.type, e.data])).toEqual([
        ['role.created', { id: r.id, tenantId: acme.id, name: `Kafka ${run}`, description: null, permissions: ['k:read'] }],
        ['role.assigned', { roleId: r.id, tenantId: acme.id, subjectType: 'user', subjectId: u }],
      ]);
    } finally {
      await consumer.disconnect();
    }
  });

  it('documents the role routes in OpenAPI', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/roles', '/v1/roles/{id}', '/v1/users/{id}/roles', '/v1/users/{id}/roles/{roleId}', '/v1/groups/{id}/roles', '/v1/groups/{id}/roles/{roleId}']),
    );
  });
});
