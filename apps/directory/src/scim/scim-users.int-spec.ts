import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '@keyline/platform-http';
import type { Res } from '../testing/directory.client';
import { DirectoryUnderTest, Tenant, keyOf as keyWith, startDirectory } from '../testing/directory.harness';

type Json = Record<string, unknown>;
type ScimUser = Json & { id: string; userName: string; active: boolean; meta: { version: string; location: string } };
type ListResponse = { totalResults: number; startIndex: number; itemsPerPage: number; Resources: ScimUser[] };

const run = randomBytes(3).toString('hex');
const keyOf = (t: Tenant, scopes = ['scim']): Principal => keyWith(t, scopes);
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PROFILE = 'urn:keyline:params:scim:schemas:extension:profile:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A SCIM error (RFC 7644 §3.12) with the right content type. */
function expectScimError(res: Res<unknown>, status: number, scimType?: string): Json {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/scim\+json/) });
  const body = res.body as Json;
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  return body;
}

describe('SCIM 2.0 Users, as Entra ID and Okta drive them (real Postgres, Redis and Kafka)', () => {
  let dir: DirectoryUnderTest;
  let call: DirectoryUnderTest['call'];
  let acme: Tenant;
  let globex: Tenant;
  let scim: Principal;

  beforeAll(async () => {
    dir = await startDirectory('scim_users');
    call = dir.call;
    acme = await dir.tenant('scim');
    globex = await dir.tenant('scim-other');
    scim = keyOf(acme);
    const schema = await call('PUT', '/v1/profile-schema', {
      as: keyOf(acme, ['admin']),
      json: { attributes: [{ name: 'plan', type: 'enum', allowedValues: ['free', 'gold'] }, { name: 'seats', type: 'number' }] },
    });
    expect(schema.status).toBe(200);
  });

  afterAll(async () => {
    await dir?.stop();
  });

  const scimCall = <T = Json>(method: string, path: string, body?: unknown, opts: { as?: Principal; headers?: Record<string, string> } = {}) =>
    call<T>(method, `/scim/v2${path}`, { as: opts.as ?? scim, body: body === undefined ? undefined : JSON.stringify(body), contentType: body === undefined ? undefined : 'application/scim+json', headers: opts.headers });
  const entraUser = (upn: string, extra: Json = {}) => ({
    schemas: [USER, ENTERPRISE],
    externalId: `ext-${upn}`,
    userName: upn,
    active: true,
    displayName: 'Ada Lovelace',
    emails: [{ primary: true, type: 'work', value: upn }],
    name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
    [ENTERPRISE]: { employeeNumber: '1815', department: 'Engineering', manager: { value: 'boss-1' } },
    ...extra,
  });
  const upn = (n: string) => `${n}.${randomBytes(2).toString('hex')}@contoso.onmicrosoft.com`;
  const byUserName = (name: string) => scimCall<ListResponse>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);

  it('describes itself: service provider config, resource types, and schemas including the tenant profile', async () => {
    const config = await scimCall<Json>('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(config.body).toEqual(expect.objectContaining({ patch: { supported: true }, filter: { supported: true, maxResults: 1000 }, etag: { supported: true }, sort: { supported: true } }));
    const types = await scimCall<{ Resources: { id: string; schemaExtensions?: unknown[] }[] }>('GET', '/ResourceTypes');
    expect(types.body.Resources.map((t) => t.id)).toEqual(['User', 'Group']);
    const profile = await scimCall<{ attributes: { name: string; type: string; canonicalValues?: string[] }[] }>('GET', `/Schemas/${PROFILE}`);
    expect(profile.body.attributes).toEqual([
      expect.objectContaining({ name: 'plan', type: 'string', canonicalValues: ['free', 'gold'] }),
      expect.objectContaining({ name: 'seats', type: 'decimal' }),
    ]);
    expectScimError(await scimCall('GET', '/Schemas/urn:nope'), 404);
  });

  it('creates a user the way Entra ID does and finds it by userName, case-insensitively', async () => {
    const name = upn('ada');
    const created = await scimCall<ScimUser>('POST', '/Users', entraUser(name));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body).toEqual(
      expect.objectContaining({
        userName: name,
        externalId: `ext-${name}`,
        active: true,
        emails: [{ value: name, type: 'work', primary: true }],
        name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
        [ENTERPRISE]: { employeeNumber: '1815', department: 'Engineering', manager: { value: 'boss-1' } },
      }),
    );
    const found = await byUserName(name.toUpperCase());
    expect(found.body).toEqual(expect.objectContaining({ totalResults: 1, startIndex: 1, itemsPerPage: 1 }));
    expect(found.body.Resources[0].id).toBe(created.body.id);
    expect((await byUserName(`nobody-${run}@contoso.com`)).body).toEqual(expect.objectContaining({ totalResults: 0, Resources: [] }));
    // The same user through the management API.
    const api = await call<Json>('GET', `/v1/users/${created.body.id}`, { as: keyOf(acme, ['users:read']) });
    expect(api.body).toEqual(expect.objectContaining({ username: name, email: name, givenName: 'Ada', status: 'active' }));
  });

  it('refuses a second user with the same userName with 409 uniqueness', async () => {
    const name = upn('dup');
    expect((await scimCall('POST', '/Users', entraUser(name))).status).toBe(201);
    expectScimError(await scimCall('POST', '/Users', entraUser(name.toUpperCase(), { emails: [] })), 409, 'uniqueness');
  });

  it('deactivates with Entra ID\'s PATCH ("Replace", "False") and with Okta\'s path-less replace', async () => {
    const entra = (await scimCall<ScimUser>('POST', '/Users', entraUser(upn('entra')))).body;
    const patched = await scimCall<ScimUser>('PATCH', `/Users/${entra.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);
    expect(patched.headers.get('etag')).toBe('W/"2"');
    expect((await call<Json>('GET', `/v1/users/${entra.id}`, { as: keyOf(acme, ['users:read']) })).body.status).toBe('suspended');
    expect((await dir.outbox()).filter((e) => e.subject === entra.id).map((e) => e.type)).toEqual(['user.created', 'user.suspended']);

    const okta = (await scimCall<ScimUser>('POST', '/Users', { schemas: [USER], userName: upn('okta'), name: { givenName: 'O', familyName: 'K' }, emails: [{ value: upn('okta-mail'), primary: true }], active: true })).body;
    const deactivated = await scimCall<ScimUser>('PATCH', `/Users/${okta.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivated.body.active).toBe(false);
    const inactive = await scimCall<ListResponse>('GET', `/Users?filter=${encodeURIComponent('active eq false')}&count=1000`);
    expect(inactive.body.Resources.map((u) => u.id)).toEqual(expect.arrayContaining([entra.id, okta.id]));
  });

  it('changes the email through emails[type eq "work"].value, name parts and the enterprise extension', async () => {
    const user = (await scimCall<ScimUser>('POST', '/Users', entraUser(upn('mail')))).body;
    const newMail = upn('renamed');
    const res = await scimCall<ScimUser>('PATCH', `/Users/${user.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: newMail },
        { op: 'replace', path: 'name.familyName', value: 'Byron' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Mathematics' },
        { op: 'add', path: `${PROFILE}:plan`, value: 'gold' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ emails: [{ value: newMail, type: 'work', primary: true }], name: expect.objectContaining({ familyName: 'Byron' }), [PROFILE]: { plan: 'gold' } }));
    expect((res.body[ENTERPRISE] as Json).department).toBe('Mathematics');
    const api = (await call<Json>('GET', `/v1/users/${user.id}`, { as: keyOf(acme, ['users:read']) })).body;
    expect(api).toEqual(expect.objectContaining({ email: newMail, familyName: 'Byron', attributes: { plan: 'gold' } }));
    expectScimError(await scimCall('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: `${PROFILE}:plan`, value: 'platinum' }] }), 400, 'invalidValue');
    expectScimError(await scimCall('PATCH', `/Users/${user.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }), 400, 'mutability');
    expectScimError(await scimCall('PATCH', `/Users/${user.id}`, { Operations: [] }), 400, 'invalidSyntax');
  });

  it('replaces with PUT, honours If-Match with 412, and clears what PUT leaves out', async () => {
    const user = (await scimCall<ScimUser>('POST', '/Users', entraUser(upn('put')))).body;
    const body = { schemas: [USER], userName: user.userName, active: true, name: { givenName: 'Only' } };
    expectScimError(await scimCall('PUT', `/Users/${user.id}`, body, { headers: { 'if-match': 'W/"7"' } }), 412);
    const put = await scimCall<ScimUser>('PUT', `/Users/${user.id}`, body, { headers: { 'if-match': user.meta.version } });
    expect(put.status).toBe(200);
    expect(put.body.name).toEqual({ givenName: 'Only', formatted: 'Only' });
    expect(put.body.emails).toBeUndefined();
    expect(put.body[ENTERPRISE]).toBeUndefined();
    expect(put.body.displayName).toBeUndefined();
  });

  it('filters with the full grammar and never with string-built SQL', async () => {
    const tenant = await dir.tenant('scim-f');
    const key = keyOf(tenant);
    const mk = (userName: string, extra: Json = {}) => scimCall<ScimUser>('POST', '/Users', { schemas: [USER], userName, ...extra }, { as: key });
    const a = (await mk('alice@ex.com', { name: { familyName: 'Liddell' }, emails: [{ value: 'alice@ex.com', type: 'work' }], [ENTERPRISE]: { department: 'R&D' } })).body;
    const b = (await mk('bob@ex.org', { name: { familyName: 'Lovelace' }, active: false })).body;
    const c = (await mk("o'hara@ex.com", { name: { familyName: 'Hara' }, externalId: 'X-1' })).body;
    const ids = async (filter: string, extra = '') => {
      const res = await scimCall<ListResponse>('GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`, undefined, { as: key });
      expect(res.status).toBe(200);
      return res.body.Resources.map((u) => u.id);
    };
    expect(await ids('userName sw "ALICE"')).toEqual([a.id]);
    expect(await ids('userName ew ".com"')).toEqual([a.id, c.id]);
    expect(await ids('emails[type eq "work" and value co "@ex."]')).toEqual([a.id]);
    expect(await ids('name.familyName sw "L" and not (active eq false)')).toEqual([a.id]);
    expect(await ids('(name.familyName eq "Hara" or externalId eq "nope") or userName eq "bob@ex.org"')).toEqual([b.id, c.id]);
    expect(await ids(`${ENTERPRISE}:department eq "r&d"`)).toEqual([a.id]);
    expect(await ids('externalId pr')).toEqual([c.id]);
    expect(await ids(`meta.created ge "2000-01-01T00:00:00Z" and id eq "${b.id}"`)).toEqual([b.id]);
    expect(await ids(`userName eq "o'hara@ex.com" or userName eq "x' OR 1=1 --"`)).toEqual([c.id]);
    expect(await ids('', '&sortBy=name.familyName&sortOrder=descending')).toEqual([b.id, a.id, c.id]);
    for (const bad of ['userName eq', 'userName zz "x"', 'shoeSize eq 42', '(userName eq "a"', 'active eq "yes"', 'userName eq "a" and']) {
      expectScimError(await scimCall('GET', `/Users?filter=${encodeURIComponent(bad)}`, undefined, { as: key }), 400, 'invalidFilter');
    }
  });

  it('pages with startIndex and count, reporting totalResults, and projects attributes', async () => {
    const tenant = await dir.tenant('scim-p');
    const key = keyOf(tenant);
    for (let i = 0; i < 5; i++) await scimCall('POST', '/Users', { schemas: [USER], userName: `p${i}@ex.com`, displayName: `P ${i}` }, { as: key });
    const page = await scimCall<ListResponse>('GET', '/Users?startIndex=2&count=2&sortBy=userName', undefined, { as: key });
    expect(page.body).toEqual(expect.objectContaining({ totalResults: 5, startIndex: 2, itemsPerPage: 2 }));
    expect(page.body.Resources.map((u) => u.userName)).toEqual(['p1@ex.com', 'p2@ex.com']);
    const none = await scimCall<ListResponse>('GET', '/Users?count=0', undefined, { as: key });
    expect(none.body).toEqual(expect.objectContaining({ totalResults: 5, itemsPerPage: 0, Resources: [] }));
    const slim = await scimCall<ListResponse>('GET', '/Users?attributes=userName&count=1', undefined, { as: key });
    expect(Object.keys(slim.body.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);
    const lean = await scimCall<ListResponse>('GET', '/Users?excludedAttributes=displayName,meta&count=1', undefined, { as: key });
    expect(lean.body.Resources[0].displayName).toBeUndefined();
    expect(lean.body.Resources[0].meta).toBeUndefined();
  });

  it('deletes, and keeps tenants and scopes apart', async () => {
    const user = (await scimCall<ScimUser>('POST', '/Users', entraUser(upn('del')))).body;
    expectScimError(await scimCall('GET', `/Users/${user.id}`, undefined, { as: keyOf(globex) }), 404);
    expectScimError(await scimCall('DELETE', `/Users/${user.id}`, undefined, { as: keyOf(globex) }), 404);
    expect((await scimCall<ListResponse>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`, undefined, { as: keyOf(globex) })).body.totalResults).toBe(0);
    expectScimError(await scimCall('GET', '/Users', undefined, { as: keyOf(acme, ['users:read']) }), 403);
    expect((await scimCall('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expectScimError(await scimCall('GET', `/Users/${user.id}`), 404);
    expect((await byUserName(user.userName)).body.totalResults).toBe(0);
  });

  it('runs Bulk requests in order, resolving bulkId references, and stops after failOnErrors', async () => {
    const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
    const name = upn('bulk');
    const res = await scimCall<{ schemas: string[]; Operations: Json[] }>('POST', '/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER], userName: name } },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Bulk ${run}`, members: [{ value: 'bulkId:u1' }] } },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'DELETE', path: `/Users/${randomUUID()}` },
        { method: 'DELETE', path: '/Users/bulkId:u1' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
    const ops = res.body.Operations;
    expect(ops.map((o) => o.status)).toEqual(['201', '201', '200', '404']);
    expect(ops[0]).toEqual(expect.objectContaining({ method: 'POST', bulkId: 'u1', version: 'W/"1"', location: expect.stringMatching(/\/scim\/v2\/Users\//) }));
    expect((ops[3].response as Json).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const userId = String(ops[0].location).split('/').pop()!;
    const groupId = String(ops[1].location).split('/').pop()!;
    const group = await scimCall<{ members: { value: string }[] }>('GET', `/Groups/${groupId}`);
    expect(group.body.members.map((m) => m.value)).toEqual([userId]);
    // The fifth operation never ran: failOnErrors stopped the request at the first failure.
    expect((await scimCall<ScimUser>('GET', `/Users/${userId}`)).body.active).toBe(false);

    const unresolved = await scimCall<{ Operations: Json[] }>('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'PATCH', path: '/Users/bulkId:nope', data: {} }] });
    expect(unresolved.body.Operations[0].status).toBe('409');
    expectScimError(await scimCall('POST', '/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', data: {} }] }), 400, 'invalidSyntax');
    expectScimError(await scimCall('POST', '/Bulk', { Operations: [] }), 400, 'invalidSyntax');
  });

  it('answers malformed bodies and unknown resources in the SCIM error shape', async () => {
    expectScimError(await call('POST', '/scim/v2/Users', { as: scim, body: '{"userName":', contentType: 'application/scim+json' }), 400);
    expectScimError(await scimCall('POST', '/Users', { schemas: [USER] }), 400, 'invalidValue');
    expectScimError(await scimCall('POST', '/Users', { schemas: [USER], userName: 'x y z' }), 400, 'invalidValue');
    expectScimError(await scimCall('GET', '/Nope'), 404);
  });
});
