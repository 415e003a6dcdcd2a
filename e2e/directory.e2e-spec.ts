import { expectProblem, waitFor } from '@keyline/platform-testing';
import { Platform, client, startPlatform, uniqueSlug } from './support/platform';

type Tenant = { id: string; slug: string };
type Key = { key: string };
type User = { id: string; email: string; status: string };
type Page<T> = { items: T[]; nextCursor: string | null };
type AuditEvent = { type: string; subject: string; data: Record<string, unknown> };

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Customer profiles through the gateway: the management API, SCIM provisioning and the audit trail. */
describe('the directory through the gateway', () => {
  let platform: Platform;
  let call: ReturnType<typeof client>;
  let acmeKey: string;
  let scimKey: string;
  let readerKey: string;
  let globexKey: string;

  beforeAll(async () => {
    platform = await startPlatform('e2e_directory');
    call = client(platform.gateway);
    const tenant = async (prefix: string) => (await call<Tenant>('POST', '/v1/tenants', { key: platform.adminKey, json: { slug: uniqueSlug(prefix), name: prefix } })).body;
    const key = async (t: Tenant, scopes: string[]) => (await call<Key>('POST', `/v1/tenants/${t.slug}/api-keys`, { key: platform.adminKey, json: { name: scopes.join('-'), scopes } })).body.key;
    const acme = await tenant('acme');
    const globex = await tenant('globex');
    acmeKey = await key(acme, ['admin']);
    scimKey = await key(acme, ['scim']);
    readerKey = await key(acme, ['users:read']);
    globexKey = await key(globex, ['admin']);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('manages users, groups and roles, and keeps them inside their tenant', async () => {
    const user = await call<User>('POST', '/v1/users', { key: acmeKey, json: { email: 'grace@example.com', givenName: 'Grace' } });
    expect(user.status).toBe(201);
    expectProblem(await call('POST', '/v1/users', { key: acmeKey, json: { email: 'GRACE@example.com' } }), 409, 'email_taken');
    expect((await call<User>('POST', '/v1/users', { key: globexKey, json: { email: 'grace@example.com' } })).status).toBe(201);
    expectProblem(await call('GET', `/v1/users/${user.body.id}`, { key: globexKey }), 404, 'user_not_found');
    expectProblem(await call('POST', '/v1/users', { key: readerKey, json: { email: 'x@example.com' } }), 403, 'insufficient_scope');

    const group = await call<{ id: string }>('POST', '/v1/groups', { key: acmeKey, json: { name: 'Admins' } });
    const role = await call<{ id: string }>('POST', '/v1/roles', { key: acmeKey, json: { name: 'billing-admin', permissions: ['invoices:read'] } });
    expect((await call('POST', `/v1/groups/${group.body.id}/members`, { key: acmeKey, json: { userIds: [user.body.id] } })).status).toBe(200);
    expect((await call('PUT', `/v1/groups/${group.body.id}/roles/${role.body.id}`, { key: acmeKey })).status).toBe(204);
    const roles = await call<{ items: { name: string; sources: { type: string }[] }[] }>('GET', `/v1/users/${user.body.id}/roles`, { key: readerKey });
    expect(roles.body.items).toEqual([expect.objectContaining({ name: 'billing-admin', sources: [expect.objectContaining({ type: 'group' })] })]);
    expectProblem(await call('GET', `/v1/groups/${group.body.id}`, { key: globexKey }), 404, 'group_not_found');
  });

  it('provisions over SCIM the way Entra ID does, and audits it', async () => {
    const scim = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
      call<T>(method, `/scim/v2${path}`, { key: scimKey, body: body === undefined ? undefined : JSON.stringify(body), contentType: body === undefined ? undefined : 'application/scim+json' });
    const created = await scim<{ id: string }>('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'alan@contoso.com',
      name: { givenName: 'Alan', familyName: 'Turing' },
      emails: [{ value: 'alan@contoso.com', type: 'work', primary: true }],
      active: true,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const found = await scim<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent('userName eq "ALAN@contoso.com"')}`);
    expect(found.body.totalResults).toBe(1);
    const off = await scim<{ active: boolean }>('PATCH', `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(off.body.active).toBe(false);
    expect((await call<User>('GET', `/v1/users/${created.body.id}`, { key: readerKey })).body.status).toBe('suspended');
    const bad = await scim<{ scimType: string }>('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
    expect((await call('GET', '/scim/v2/Users', { key: readerKey })).status).toBe(403);
    expect((await call('GET', '/scim/v2/Users')).status).toBe(401);

    const audit = await waitFor(async () => {
      const page = await call<Page<AuditEvent>>('GET', `/v1/audit/events?subject=${created.body.id}&limit=10`, { key: acmeKey });
      return page.body.items.length >= 2 ? page.body.items : undefined;
    }, 20_000);
    expect(audit.map((e) => e.type).sort()).toEqual(['user.created', 'user.suspended']);
  });
});
