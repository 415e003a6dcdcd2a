import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Principal } from '@keyline/platform-http';
import { ServiceProcess, TestDatabase, createTestDatabase, startServiceProcess, testKafkaBrokers, testRedisDb } from '@keyline/platform-testing';
import { Client } from 'pg';
import { directoryClient } from '../testing/directory.client';
import type { Res } from '../testing/directory.client';

type Tenant = { id: string; slug: string };
type Json = Record<string, unknown>;
type Member = { value: string; display: string; $ref: string; type: string };
type ScimGroup = Json & { id: string; displayName: string; externalId?: string; members?: Member[]; meta: { version: string; location: string; resourceType: string; created: string; lastModified: string } };
type ListResponse = { schemas: string[]; totalResults: number; startIndex: number; itemsPerPage: number; Resources: ScimGroup[] };
type Envelope = { type: string; subject: string; data: Json };
type Rows = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const run = randomBytes(3).toString('hex');
const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
const keyOf = (t: Tenant, scopes = ['scim']): Principal => ({ kind: 'tenant', keyId: randomUUID(), tenantId: t.id, tenantSlug: t.slug, scopes });
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SCIM_JSON = /^application\/scim\+json/;
const PUBLIC_URL = 'https://id.acme.test';


/** A SCIM error (RFC 7644 §3.12) with the right content type. */
function expectScimError(res: Res<unknown>, status: number, scimType?: string): Json {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(SCIM_JSON) });
  const body = res.body as Json;
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  else expect(body).not.toHaveProperty('scimType');
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  return body;
}

const patchOf = (...Operations: Json[]) => ({ schemas: [PATCH], Operations });
const idsOf = (g: ScimGroup) => (g.members ?? []).map((m) => m.value).sort();

// The same suite on both stores: PostgreSQL (production) and the embedded SQLite file (`npm start`).
describe.each(['postgres', 'sqlite'] as const)('SCIM 2.0 Groups on %s, as Entra ID and Okta drive them (real Redis and Kafka)', (dialect) => {
  let db: TestDatabase | undefined;
  let pg: Client | undefined;
  let lite: Database.Database | undefined;
  let dataDir: string | undefined;
  let rows: Rows;
  let svc: ServiceProcess;
  let call: ReturnType<typeof directoryClient>;
  let acme: Tenant;
  let globex: Tenant;
  let scim: Principal;
  let admin: Principal;
  /** Active users of acme. */
  let users: string[];
  let foreignUser: string;
  let deletedUser: string;

  const createUser = async (tenant: Tenant, n: string): Promise<string> => {
    const res = await call<{ id: string }>('POST', '/v1/users', { as: keyOf(tenant, ['admin']), json: { email: `${n}-${randomBytes(4).toString('hex')}@example.com`, displayName: `Person ${n}` } });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  beforeAll(async () => {
    if (dialect === 'postgres') db = await createTestDatabase('directory_scim_groups');
    else dataDir = mkdtempSync(join(tmpdir(), 'keyline-scim-groups-'));
    const internalToken = randomBytes(24).toString('base64url');
    svc = await startServiceProcess('directory', {
      DATABASE_URL: db?.url ?? '',
      DATA_DIR: dataDir ?? '.data',
      REDIS_URL: testRedisDb(),
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      INTERNAL_TOKEN: internalToken,
      PUBLIC_URL,
    });
    call = directoryClient(svc.url, internalToken);
    if (db) {
      const client = new Client({ connectionString: db.url });
      await client.connect();
      pg = client;
      rows = async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[];
    } else {
      const file = new Database(join(dataDir!, 'directory.sqlite'), { readonly: true, fileMustExist: true });
      lite = file;
      rows = async (sql, params = []) => {
        const stmt = file.prepare(sql.replace(/\$\d+/g, '?'));
        return stmt.all(...params) as Record<string, unknown>[];
      };
    }
    acme = (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `scimg-${run}`, name: 'Acme' } })).body;
    globex = (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `scimg-other-${run}`, name: 'Globex' } })).body;
    scim = keyOf(acme);
    admin = keyOf(acme, ['admin']);
    users = [];
    for (const n of ['ada', 'bob', 'cy', 'dee']) users.push(await createUser(acme, n));
    foreignUser = await createUser(globex, 'eve');
    deletedUser = await createUser(acme, 'gone');
    expect((await call('DELETE', `/v1/users/${deletedUser}`, { as: admin })).status).toBe(204);
  });

  afterAll(async () => {
    // A service that died mid-suite leaves only ECONNREFUSED in the failures; its output says why.
    if (svc && (svc.child.exitCode !== null || svc.child.signalCode !== null)) {
      console.log(`directory exited (${svc.child.exitCode ?? svc.child.signalCode}):\n${svc.output().slice(-6000)}`);
    }
    await svc?.stop();
    await pg?.end();
    lite?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const scimCall = <T = Json>(method: string, path: string, body?: unknown, opts: { as?: Principal; headers?: Record<string, string>; contentType?: string } = {}) =>
    call<T>(method, `/scim/v2${path}`, {
      as: opts.as ?? scim,
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType: body === undefined ? undefined : (opts.contentType ?? 'application/scim+json'),
      headers: opts.headers,
    });
  const filtered = (filter: string, extra = '') => scimCall<ListResponse>('GET', `/Groups?filter=${encodeURIComponent(filter)}${extra}`);
  const events = async (subject: string): Promise<Envelope[]> => {
    const all = await rows('SELECT payload FROM outbox_events ORDER BY seq');
    return all.map((r) => JSON.parse(r.payload as string) as Envelope).filter((e) => e.subject === subject);
  };
  const name = (n: string) => `${n} ${randomBytes(2).toString('hex')}`;
  const createGroup = async (displayName: string, members: string[] = [], extra: Json = {}) => {
    const res = await scimCall<ScimGroup>('POST', '/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })), ...extra });
    expect(res.status).toBe(201);
    return res.body;
  };

  describe('successful provisioning', () => {
    it('creates a group with members: 201, Location, ETag, the resource, and its events in the outbox', async () => {
      const displayName = name('Engineering');
      const res = await scimCall<ScimGroup>('POST', '/Groups', { schemas: [GROUP], displayName, externalId: 'aad-1', members: [{ value: users[0] }, { value: users[1] }] });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toMatch(SCIM_JSON);
      const g = res.body;
      expect(g).toEqual({
        schemas: [GROUP],
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        externalId: 'aad-1',
        displayName,
        members: expect.arrayContaining([
          { value: users[0], display: 'Person ada', $ref: `${PUBLIC_URL}/scim/v2/Users/${users[0]}`, type: 'User' },
          { value: users[1], display: 'Person bob', $ref: `${PUBLIC_URL}/scim/v2/Users/${users[1]}`, type: 'User' },
        ]),
        meta: { resourceType: 'Group', created: expect.any(String), lastModified: expect.any(String), location: `${PUBLIC_URL}/scim/v2/Groups/${g.id}`, version: 'W/"1"' },
      });
      expect(res.headers.get('location')).toBe(g.meta.location);
      expect(res.headers.get('etag')).toBe('W/"1"');

      const got = await scimCall<ScimGroup>('GET', `/Groups/${g.id}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toMatch(SCIM_JSON);
      expect(got.headers.get('etag')).toBe('W/"1"');
      expect({ ...got.body, members: idsOf(got.body) }).toEqual({ ...g, members: idsOf(g) });

      const published = await events(g.id);
      expect(published.map((e) => e.type)).toEqual(['group.created', 'group.members-added']);
      expect((published[1].data.userIds as string[]).sort()).toEqual([users[0], users[1]].sort());
    });

    it('finds groups by filter the way Entra ID and Okta look them up', async () => {
      const displayName = name('Finance');
      const g = await createGroup(displayName, [users[2]], { externalId: `okta-${run}` });

      const byName = await filtered(`displayName eq "${displayName.toUpperCase()}"`);
      expect(byName.status).toBe(200);
      expect(byName.headers.get('content-type')).toMatch(SCIM_JSON);
      expect(byName.body).toEqual({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [expect.objectContaining({ id: g.id, displayName })] });
      expect(byName.body.Resources[0].members).toEqual([expect.objectContaining({ value: users[2] })]);

      const okta = await filtered(`displayName eq "${displayName}"`, '&startIndex=1&count=100&excludedAttributes=members');
      expect(okta.body.totalResults).toBe(1);
      expect(okta.body.Resources[0]).not.toHaveProperty('members');
      expect(okta.body.Resources[0]).toEqual(expect.objectContaining({ id: g.id, displayName, meta: expect.objectContaining({ version: 'W/"1"' }) }));

      expect((await filtered(`externalId eq "okta-${run}"`)).body.Resources.map((r) => r.id)).toEqual([g.id]);
      expect((await filtered(`id eq "${g.id.toUpperCase()}"`)).body.Resources.map((r) => r.id)).toEqual([g.id]);
      expect((await filtered(`members[value eq "${users[2]}"] and displayName sw "finance"`)).body.Resources.map((r) => r.id)).toEqual([g.id]);
      expect((await filtered(`members.value eq "${users[2]}" and displayName co "${displayName.slice(-4)}"`)).body.Resources.map((r) => r.id)).toEqual([g.id]);
      expect((await filtered(`meta.created ge "${g.meta.created}" and displayName eq "${displayName}"`)).body.totalResults).toBe(1);
      expect((await filtered('id eq "not-a-uuid"')).body.totalResults).toBe(0);

      const one = await scimCall<ScimGroup>('GET', `/Groups/${g.id}?attributes=displayName`);
      expect(Object.keys(one.body).sort()).toEqual(['displayName', 'id', 'schemas']);
    });

    it('applies the PATCH forms of Entra ID and Okta, moving the ETag on with every change and emitting one event each', async () => {
      const g = await createGroup(name('Ops'), [users[0]]);
      const patch = async (body: Json, contentType = 'application/scim+json') => {
        const res = await scimCall<ScimGroup>('PATCH', `/Groups/${g.id}`, body, { contentType });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(SCIM_JSON);
        expect(res.headers.get('etag')).toBe(res.body.meta.version);
        return res.body;
      };

      // Entra ID: capitalised op names, members as a list of { value }.
      let now = await patch(patchOf({ op: 'Add', path: 'members', value: [{ value: users[1] }, { value: users[2] }] }));
      expect(idsOf(now)).toEqual([users[0], users[1], users[2]].sort());
      expect(now.meta.version).toBe('W/"2"');

      // Okta: remove by value filter, sent as plain JSON.
      now = await patch(patchOf({ op: 'remove', path: `members[value eq "${users[0]}"]` }), 'application/json');
      expect(idsOf(now)).toEqual([users[1], users[2]].sort());
      expect(now.meta.version).toBe('W/"3"');

      // Entra ID: remove with the ids as the value.
      now = await patch(patchOf({ op: 'Remove', path: 'members', value: [{ value: users[1] }] }));
      expect(idsOf(now)).toEqual([users[2]]);

      const renamed = name('Operations');
      now = await patch(patchOf({ op: 'Replace', path: 'displayName', value: renamed }));
      expect(now.displayName).toBe(renamed);

      const again = name('Platform Ops');
      now = await patch(patchOf({ op: 'replace', value: { id: g.id, displayName: again, externalId: 'okta-ops' } }));
      expect(now).toEqual(expect.objectContaining({ displayName: again, externalId: 'okta-ops' }));
      expect(now.meta.version).toBe('W/"6"');

      // Okta re-sends what is already there: nothing is written.
      now = await patch(patchOf({ op: 'add', path: 'members', value: [{ value: users[2], display: 'whoever' }] }, { op: 'remove', path: `members[value eq "${users[3]}"]` }));
      expect(now.meta.version).toBe('W/"6"');

      const got = await scimCall<ScimGroup>('GET', `/Groups/${g.id}`);
      expect(got.headers.get('etag')).toBe('W/"6"');
      expect(idsOf(got.body)).toEqual([users[2]]);

      const published = (await events(g.id)).map((e) => [e.type, e.data.userIds ?? e.data.changes]);
      expect(published).toEqual([
        ['group.created', undefined],
        ['group.members-added', [users[0]]],
        ['group.members-added', [users[1], users[2]]],
        ['group.members-removed', [users[0]]],
        ['group.members-removed', [users[1]]],
        ['group.updated', ['name']],
        ['group.updated', ['name', 'externalId']],
      ]);
    });

    it('loses no member when PATCHes without If-Match race on one group', async () => {
      const g = await createGroup(name('Race'));
      const results = await Promise.all(users.map((u) => scimCall<ScimGroup>('PATCH', `/Groups/${g.id}`, patchOf({ op: 'add', path: 'members', value: [{ value: u }] }))));
      expect(results.map((r) => r.status)).toEqual(users.map(() => 200));
      const got = await scimCall<ScimGroup>('GET', `/Groups/${g.id}`);
      expect(idsOf(got.body)).toEqual([...users].sort());
      expect(got.body.meta.version).toBe(`W/"${1 + users.length}"`);
    });

    it('replaces a group whole with PUT, honouring If-Match', async () => {
      const g = await createGroup(name('Legal'), [users[0], users[1]], { externalId: 'old' });
      const body = { schemas: [GROUP], displayName: name('Legal & Compliance'), members: [{ value: users[1] }, { value: users[3] }] };
      const stale = await scimCall('PUT', `/Groups/${g.id}`, body, { headers: { 'if-match': 'W/"7"' } });
      expectScimError(stale, 412);

      const res = await scimCall<ScimGroup>('PUT', `/Groups/${g.id}`, body, { headers: { 'if-match': g.meta.version } });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('W/"2"');
      expect(res.body.displayName).toBe(body.displayName);
      expect(res.body).not.toHaveProperty('externalId');
      expect(idsOf(res.body)).toEqual([users[1], users[3]].sort());

      const stalePatch = await scimCall('PATCH', `/Groups/${g.id}`, patchOf({ op: 'replace', path: 'displayName', value: 'Nope' }), { headers: { 'if-match': g.meta.version } });
      expectScimError(stalePatch, 412);
      expect((await scimCall<ScimGroup>('GET', `/Groups/${g.id}`)).body.displayName).toBe(body.displayName);
    });

    it('pages with startIndex and count over sorted results, counting every match', async () => {
      const prefix = `Page ${randomBytes(2).toString('hex')}`;
      for (const n of ['e', 'c', 'a', 'd', 'b']) await createGroup(`${prefix} ${n}`);
      const page = async (extra: string) => (await filtered(`displayName sw "${prefix.toLowerCase()}"`, extra)).body;

      const second = await page('&sortBy=displayName&startIndex=2&count=2&excludedAttributes=members');
      expect({ ...second, Resources: second.Resources.map((r) => r.displayName) }).toEqual({
        schemas: [LIST],
        totalResults: 5,
        startIndex: 2,
        itemsPerPage: 2,
        Resources: [`${prefix} b`, `${prefix} c`],
      });
      expect((await page('&sortBy=displayName&sortOrder=descending&count=2')).Resources.map((r) => r.displayName)).toEqual([`${prefix} e`, `${prefix} d`]);
      expect((await page('&sortBy=displayName&startIndex=5&count=10')).Resources.map((r) => r.displayName)).toEqual([`${prefix} e`]);
      expect(await page('&count=0')).toEqual({ schemas: [LIST], totalResults: 5, startIndex: 1, itemsPerPage: 0, Resources: [] });
      expect((await page('&sortBy=meta.created')).Resources.map((r) => r.displayName.slice(-1))).toEqual(['e', 'c', 'a', 'd', 'b']);
    });

    it('keeps a group of over a thousand members, changing it by difference', async () => {
      // Over the stores' id-list chunk (1000 ids a statement).
      const size = 1100;
      const kept = size / 2;
      const many: string[] = [];
      for (let i = 0; i < size; i += 50) {
        many.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => createUser(acme, `bulk${i + j}`)))));
      }
      const g = await createGroup(name('Everyone'), many);
      expect(g.members).toHaveLength(size);

      const added = await scimCall<ScimGroup>('PATCH', `/Groups/${g.id}`, patchOf({ op: 'add', path: 'members', value: [{ value: users[3] }] }, { op: 'remove', path: `members[value eq "${many[0]}"]` }));
      expect(added.status).toBe(200);
      expect(added.body.members).toHaveLength(size);
      expect(added.body.meta.version).toBe('W/"2"');

      const put = await scimCall<ScimGroup>('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName, members: many.slice(0, kept).map((value) => ({ value })) });
      expect(put.status).toBe(200);
      expect(put.body.members).toHaveLength(kept);
      const [count] = await rows('SELECT COUNT(*) AS n FROM group_members WHERE "groupId" = $1', [g.id]);
      expect(Number(count.n)).toBe(kept);
      const last = (await events(g.id)).slice(-2);
      expect(last.map((e) => [e.type, (e.data.userIds as string[]).length])).toEqual([
        // many[0], which the PATCH had removed, comes back; users[3] and the second half go.
        ['group.members-added', 1],
        ['group.members-removed', size - kept + 1],
      ]);
      expect((await filtered(`members.value eq "${many[kept - 1]}"`, '&excludedAttributes=members')).body.Resources.map((r) => r.id)).toEqual([g.id]);
    });

    it('deletes a group: 204, then 404, with group.deleted; a stale If-Match deletes nothing', async () => {
      const g = await createGroup(name('Temp'), [users[0]]);
      expectScimError(await scimCall('DELETE', `/Groups/${g.id}`, undefined, { headers: { 'if-match': 'W/"9"' } }), 412);
      const res = await scimCall('DELETE', `/Groups/${g.id}`, undefined, { headers: { 'if-match': 'W/"1"' } });
      expect(res.status).toBe(204);
      expectScimError(await scimCall('GET', `/Groups/${g.id}`), 404);
      expectScimError(await scimCall('DELETE', `/Groups/${g.id}`), 404);
      expect((await events(g.id)).map((e) => e.type)).toEqual(['group.created', 'group.members-added', 'group.deleted']);
      expect(await rows('SELECT * FROM group_members WHERE "groupId" = $1', [g.id])).toEqual([]);
    });
  });

  describe('failing requests', () => {
    it('answers invalid filters with 400 invalidFilter in the SCIM error shape', async () => {
      for (const filter of ['displayName eq', 'displayName xx "a"', 'description eq "a"', 'members[foo eq "x"]', 'meta.created gt "tomorrow"']) {
        expectScimError(await filtered(filter), 400, 'invalidFilter');
      }
      expectScimError(await scimCall('GET', '/Groups?sortBy=members'), 400, 'invalidValue');
      expectScimError(await scimCall('GET', '/Groups?attributes=,'), 400, 'invalidValue');
    });

    it('refuses a taken displayName in any case with 409 uniqueness', async () => {
      const displayName = name('Unique');
      await createGroup(displayName);
      expectScimError(await scimCall('POST', '/Groups', { schemas: [GROUP], displayName: displayName.toUpperCase() }), 409, 'uniqueness');
      const other = await createGroup(name('Other'));
      expectScimError(await scimCall('PATCH', `/Groups/${other.id}`, patchOf({ op: 'replace', path: 'displayName', value: displayName })), 409, 'uniqueness');
    });

    it('refuses unknown, deleted and other-tenant members with 400 invalidValue, writing nothing', async () => {
      for (const bad of [randomUUID(), deletedUser, foreignUser, 'not-an-id']) {
        const displayName = name('Bad');
        expectScimError(await scimCall('POST', '/Groups', { schemas: [GROUP], displayName, members: [{ value: users[0] }, { value: bad }] }), 400, 'invalidValue');
        expect((await filtered(`displayName eq "${displayName}"`)).body.totalResults).toBe(0);
      }
      const g = await createGroup(name('Guarded'), [users[0]]);
      expectScimError(await scimCall('PATCH', `/Groups/${g.id}`, patchOf({ op: 'add', path: 'members', value: [{ value: users[1] }, { value: foreignUser }] })), 400, 'invalidValue');
      expectScimError(await scimCall('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: g.displayName, members: [{ value: deletedUser }] }), 400, 'invalidValue');
      const got = await scimCall<ScimGroup>('GET', `/Groups/${g.id}`);
      expect(got.body.meta.version).toBe('W/"1"');
      expect(idsOf(got.body)).toEqual([users[0]]);
    });

    it('refuses malformed bodies and read-only changes in the SCIM error shape', async () => {
      const g = await createGroup(name('Strict'));
      expectScimError(await scimCall('POST', '/Groups', { schemas: [GROUP] }), 400, 'invalidValue');
      expectScimError(await scimCall('PATCH', `/Groups/${g.id}`, { Operations: [] }), 400, 'invalidSyntax');
      expectScimError(await scimCall('PATCH', `/Groups/${g.id}`, patchOf({ op: 'replace', path: 'id', value: randomUUID() })), 400, 'mutability');
      expectScimError(await scimCall('PATCH', `/Groups/${g.id}`, patchOf({ op: 'remove', path: 'displayName' })), 400, 'invalidValue');
      expectScimError(await scimCall('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'x', members: [{ value: randomUUID(), type: 'Group' }] }), 400, 'invalidValue');
    });

    it("answers another tenant's group as a group that does not exist: 404 without scimType", async () => {
      const g = await createGroup(name('Private'), [users[0]]);
      const other = keyOf(globex);
      expectScimError(await scimCall('GET', `/Groups/${g.id}`, undefined, { as: other }), 404);
      expectScimError(await scimCall('PATCH', `/Groups/${g.id}`, patchOf({ op: 'replace', path: 'displayName', value: 'Mine' }), { as: other }), 404);
      expectScimError(await scimCall('PUT', `/Groups/${g.id}`, { schemas: [GROUP], displayName: 'Mine' }, { as: other }), 404);
      expectScimError(await scimCall('DELETE', `/Groups/${g.id}`, undefined, { as: other }), 404);
      expectScimError(await scimCall('GET', '/Groups/not-a-uuid'), 404);
      const theirs = await scimCall<ListResponse>('GET', `/Groups?filter=${encodeURIComponent(`id eq "${g.id}"`)}`, undefined, { as: other });
      expect(theirs.body.totalResults).toBe(0);
      expect((await scimCall<ScimGroup>('GET', `/Groups/${g.id}`)).body.displayName).toBe(g.displayName);
    });

    it('needs the scim scope (or admin)', async () => {
      expectScimError(await scimCall('GET', '/Groups', undefined, { as: keyOf(acme, ['users:read']) }), 403);
      expect((await scimCall('GET', '/Groups?count=1', undefined, { as: admin })).status).toBe(200);
    });
  });
});
