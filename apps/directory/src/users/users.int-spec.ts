import { randomBytes } from 'node:crypto';
import type { Principal } from '@keyline/platform-http';
import { expectProblem } from '../testing/directory.client';
import { DirectoryUnderTest, Rows, Tenant, keyOf, platformKey, startDirectory } from '../testing/directory.harness';

type User = Record<string, unknown> & { id: string; email: string | null; version: number; status: string; attributes: Record<string, unknown> };
type Page<T> = { items: T[]; nextCursor: string | null };

const run = randomBytes(3).toString('hex');

// The same suite on both stores: PostgreSQL (production) and the embedded SQLite file (`npm start`).
describe.each(['postgres', 'sqlite'] as const)('directory users and profile schema on %s (real Redis and Kafka)', (dialect) => {
  let dir: DirectoryUnderTest;
  let rows: Rows;
  let call: DirectoryUnderTest['call'];
  let acme: Tenant;
  let globex: Tenant;
  let admin: Principal;

  beforeAll(async () => {
    dir = await startDirectory('users', dialect);
    ({ call, rows } = dir);
    acme = await dir.tenant('acme');
    globex = await dir.tenant('globex');
    admin = keyOf(acme);
  });

  afterAll(async () => {
    await dir?.stop();
  });

  const create = (json: unknown, as: Principal = admin) => call<User>('POST', '/v1/users', { as, json });
  const events = async (subject: string) => (await dir.outbox()).filter((e) => e.subject === subject);
  const email = (name: string) => `${name}-${randomBytes(3).toString('hex')}@example.com`;

  describe('successful user management', () => {
    it('creates a user, answers it without any secret, with an ETag, and publishes user.created and the password hash for authn', async () => {
      const addr = email('Ada');
      const res = await create({ email: addr, password: 'correct horse battery', givenName: ' Ada ', familyName: 'Lovelace', locale: 'en-GB' });
      expect(res.status).toBe(201);
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(res.body).toEqual(
        expect.objectContaining({ email: addr, emailVerified: false, givenName: 'Ada', familyName: 'Lovelace', status: 'active', version: 1, attributes: {}, appMetadata: {} }),
      );
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash|correct horse/i);

      const got = await call<User>('GET', `/v1/users/${res.body.id}`, { as: admin });
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);

      const published = await events(res.body.id);
      expect(published.map((e) => e.type)).toEqual(['user.created', 'credential.password-set']);
      expect(published[0].tenantId).toBe(acme.id);
      const credential = published[1].data as { hash: string; format: string; source: string };
      expect(credential).toEqual(expect.objectContaining({ format: 'argon2id', source: 'api', userId: res.body.id }));
      expect(credential.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(JSON.stringify(published)).not.toContain('correct horse');
    });

    it('treats identifiers case-insensitively: an email differing only in case is taken', async () => {
      const addr = email('grace');
      expect((await create({ email: addr })).status).toBe(201);
      const dup = await create({ email: addr.toUpperCase() });
      expect(expectProblem(dup, 409, 'email_taken').errors).toEqual([{ field: 'email', message: 'email is already taken' }]);
    });

    it('lets exactly one of two parallel creates with the same email win; the other gets 409', async () => {
      const addr = email('race');
      const results = await Promise.all(Array.from({ length: 6 }, () => create({ email: addr })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(await rows('SELECT id FROM users WHERE "tenantId" = $1 AND "emailKey" = $2', [acme.id, addr.toLowerCase()])).toHaveLength(1);
    });

    it('keeps usernames and phone numbers unique per tenant, but the same ones are free in another tenant', async () => {
      const username = `user.${run}`;
      const phone = `+1415555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
      expect((await create({ username, phoneNumber: phone })).status).toBe(201);
      expectProblem(await create({ username: username.toUpperCase() }), 409, 'username_taken');
      expectProblem(await create({ phoneNumber: phone }), 409, 'phone_number_taken');
      expect((await create({ username, phoneNumber: phone }, keyOf(globex))).status).toBe(201);
    });

    it('applies a JSON merge patch: null clears, attributes merge, unchanged patches write nothing, ETags move on', async () => {
      const user = (await create({ email: email('patch'), givenName: 'Old', displayName: 'Shown' })).body;
      const patched = await call<User>('PATCH', `/v1/users/${user.id}`, {
        as: admin,
        body: JSON.stringify({ givenName: 'New', displayName: null, appMetadata: { tier: 'vip', nested: { a: 1 } } }),
        contentType: 'application/merge-patch+json',
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual(expect.objectContaining({ givenName: 'New', displayName: null, appMetadata: { tier: 'vip', nested: { a: 1 } }, version: 2 }));
      expect(patched.headers.get('etag')).toBe('W/"2"');

      const again = await call<User>('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'New', appMetadata: { nested: { b: 2 } } } });
      expect(again.body.appMetadata).toEqual({ tier: 'vip', nested: { a: 1, b: 2 } });
      expect(again.body.version).toBe(3);
      const noop = await call<User>('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'New' } });
      expect(noop.body.version).toBe(3);

      const updates = (await events(user.id)).filter((e) => e.type === 'user.updated');
      expect(updates.map((e) => e.data.changes)).toEqual([['givenName', 'displayName', 'appMetadata.tier', 'appMetadata.nested'], ['appMetadata.nested']]);
    });

    it('honours If-Match: a stale ETag gets 412 and changes nothing', async () => {
      const user = (await create({ email: email('etag') })).body;
      await call('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'One' } });
      const stale = await call('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'Two' }, headers: { 'if-match': 'W/"1"' } });
      expectProblem(stale, 412, 'precondition_failed');
      expect((await call<User>('GET', `/v1/users/${user.id}`, { as: admin })).body.givenName).toBe('One');
      const fresh = await call<User>('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'Two' }, headers: { 'if-match': 'W/"2"' } });
      expect(fresh.status).toBe(200);
      expectProblem(await call('DELETE', `/v1/users/${user.id}`, { as: admin, headers: { 'if-match': 'W/"2"' } }), 412, 'precondition_failed');
    });

    it('does not lose concurrent patches without If-Match', async () => {
      const user = (await create({ email: email('merge') })).body;
      await Promise.all(
        Array.from({ length: 5 }, (_, i) => call('PATCH', `/v1/users/${user.id}`, { as: admin, json: { appMetadata: { [`k${i}`]: i } } })),
      );
      const got = (await call<User>('GET', `/v1/users/${user.id}`, { as: admin })).body;
      expect(got.appMetadata).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
      expect(got.version).toBe(6);
    });

    it('suspends and reactivates with their own events', async () => {
      const user = (await create({ email: email('suspend') })).body;
      expect((await call<User>('PATCH', `/v1/users/${user.id}`, { as: admin, json: { status: 'suspended' } })).body.status).toBe('suspended');
      expect((await call<User>('PATCH', `/v1/users/${user.id}`, { as: admin, json: { status: 'active' } })).body.status).toBe('active');
      expect((await events(user.id)).map((e) => e.type)).toEqual(['user.created', 'user.suspended', 'user.reactivated']);
    });

    it('soft-deletes: the user is gone for the API, its identifiers are free again, user.deleted is published', async () => {
      const addr = email('gone');
      const user = (await create({ email: addr, username: `gone-${run}` })).body;
      const group = (await call<{ id: string }>('POST', '/v1/groups', { as: admin, json: { name: `leavers-${randomBytes(3).toString('hex')}` } })).body;
      expect((await call('POST', `/v1/groups/${group.id}/members`, { as: admin, json: { userIds: [user.id] } })).status).toBe(200);
      expect((await call('DELETE', `/v1/users/${user.id}`, { as: admin })).status).toBe(204);
      expect((await call<Page<unknown>>('GET', `/v1/groups/${group.id}/members`, { as: admin })).body.items).toEqual([]);
      expectProblem(await call('GET', `/v1/users/${user.id}`, { as: admin }), 404, 'user_not_found');
      expectProblem(await call('DELETE', `/v1/users/${user.id}`, { as: admin }), 404, 'user_not_found');
      expectProblem(await call('PATCH', `/v1/users/${user.id}`, { as: admin, json: { givenName: 'x' } }), 404, 'user_not_found');
      expect((await create({ email: addr, username: `gone-${run}` })).status).toBe(201);
      const [row] = await rows('SELECT status, email, "emailKey", "deletedAt" FROM users WHERE id = $1', [user.id]);
      expect(row).toEqual(expect.objectContaining({ status: 'deleted', email: addr, emailKey: null }));
      expect(row.deletedAt).not.toBeNull();
      const deleted = (await events(user.id)).find((e) => e.type === 'user.deleted');
      expect(deleted?.data).toEqual(expect.objectContaining({ id: user.id, tenantId: acme.id }));
      const listed = await call<Page<User>>('GET', `/v1/users?status=deleted&limit=200`, { as: admin });
      expect(listed.body.items.map((u) => u.id)).toContain(user.id);
    });
  });

  describe('search', () => {
    let tenant: Tenant;
    let key: Principal;
    const made: User[] = [];

    beforeAll(async () => {
      tenant = await dir.tenant('search');
      key = keyOf(tenant);
      const people = [
        { email: 'Marie.Curie@example.com', givenName: 'Marie', familyName: 'Curie' },
        { email: 'pierre@example.com', givenName: 'Pierre', familyName: 'Curie' },
        { email: 'ada@example.org', givenName: 'Ada', familyName: 'Lovelace', username: 'countess' },
        { email: 'alan@example.org', givenName: 'Alan', familyName: 'Turing', status: 'suspended' },
        { email: 'percent_100%@example.org', givenName: '100%', familyName: 'Literal' },
      ];
      for (const p of people) made.push((await call<User>('POST', '/v1/users', { as: key, json: p })).body);
    });

    const find = (qs: string) => call<Page<User>>('GET', `/v1/users?${qs}`, { as: key });
    const emails = (p: Page<User>) => p.items.map((u) => u.email);

    it('looks up exact identifiers case-insensitively', async () => {
      expect(emails((await find('email=marie.curie%40EXAMPLE.com')).body)).toEqual(['Marie.Curie@example.com']);
      expect(emails((await find('username=COUNTESS')).body)).toEqual(['ada@example.org']);
      expect((await find('email=nobody%40example.com')).body.items).toEqual([]);
    });

    it('finds by prefix of email, given or family name, with LIKE wildcards taken literally', async () => {
      expect(emails((await find('q=curie')).body)).toEqual(['Marie.Curie@example.com', 'pierre@example.com']);
      expect(emails((await find('q=al')).body)).toEqual(['alan@example.org']);
      expect(emails((await find('q=100%25')).body)).toEqual(['percent_100%@example.org']);
      expect((await find('q=%25')).body.items).toEqual([]);
      expect((await find('q=_')).body.items).toEqual([]);
    });

    it('filters with the SCIM grammar over API field names and custom attributes', async () => {
      const f = (expr: string) => find(`filter=${encodeURIComponent(expr)}`);
      expect(emails((await f('givenName sw "pi" or familyName eq "LOVELACE"')).body)).toEqual(['pierre@example.com', 'ada@example.org']);
      expect(emails((await f('familyName eq "curie" and not (email co "marie")')).body)).toEqual(['pierre@example.com']);
      expect(emails((await f('status eq "suspended"')).body)).toEqual(['alan@example.org']);
      expect((await find(`status=suspended&filter=${encodeURIComponent('email ew ".org"')}`)).body.items.map((u) => u.email)).toEqual(['alan@example.org']);
      expect(emails((await f('emailVerified eq false and username pr')).body)).toEqual(['ada@example.org']);
      const bad = expectProblem(await f('shoeSize gt 3'), 400, 'validation_failed');
      expect(bad.errors?.[0]).toEqual({ field: 'filter', message: expect.stringContaining('shoeSize') });
      expectProblem(await f('email eq'), 400, 'validation_failed');
    });

    it('filters on status and pages with a cursor, neither skipping nor repeating', async () => {
      expect(emails((await find('status=suspended')).body)).toEqual(['alan@example.org']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<User> = (await find(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(made.map((u) => u.id));
      expectProblem(await find('cursor=bogus'), 400, 'validation_failed');
    });
  });

  describe('profile schema', () => {
    let tenant: Tenant;
    let key: Principal;
    const schema = (attributes: unknown[], headers?: Record<string, string>) => call('PUT', '/v1/profile-schema', { as: key, json: { attributes }, headers });

    beforeAll(async () => {
      tenant = await dir.tenant('schema');
      key = keyOf(tenant);
    });

    it('starts empty, stores a schema with defaults, and versions it', async () => {
      const empty = await call('GET', '/v1/profile-schema', { as: key });
      expect(empty.body).toEqual({ attributes: [], version: 0, updatedAt: null });
      const put = await schema([
        { name: 'plan', type: 'enum', allowedValues: ['free', 'gold'], sensitivity: 'public', required: true },
        { name: 'memberNo', type: 'string', pattern: '[A-Z]{2}[0-9]{4}', unique: true },
        { name: 'birthDate', type: 'date', sensitivity: 'sensitive', userEditable: true },
        { name: 'score', type: 'number' },
        { name: 'newsletter', type: 'boolean' },
        { name: 'tags', type: 'string-list', maxLength: 3 },
      ]);
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe('W/"1"');
      const got = await call<{ attributes: Record<string, unknown>[]; version: number }>('GET', '/v1/profile-schema', { as: key });
      expect(got.body.version).toBe(1);
      expect(got.body.attributes[1]).toEqual({ name: 'memberNo', type: 'string', pattern: '[A-Z]{2}[0-9]{4}', unique: true, required: false, sensitivity: 'personal', userEditable: false });
    });

    it('validates writes against the schema with one error per field', async () => {
      const bad = await call('POST', '/v1/users', {
        as: key,
        json: { email: email('s'), attributes: { plan: 'platinum', memberNo: 'ab12', birthDate: '2001-02-30', score: 'high', newsletter: 'yes', tags: ['a', 'b', 'c', 'd'], shoeSize: 42 } },
      });
      const problem = expectProblem(bad, 400, 'validation_failed');
      expect(problem.errors?.map((e) => e.field).sort()).toEqual(
        ['attributes.birthDate', 'attributes.memberNo', 'attributes.newsletter', 'attributes.plan', 'attributes.score', 'attributes.shoeSize', 'attributes.tags'].sort(),
      );
      expectProblem(await call('POST', '/v1/users', { as: key, json: { email: email('s') } }), 400, 'validation_failed');
      const ok = await call<User>('POST', '/v1/users', {
        as: key,
        json: { email: email('s'), attributes: { plan: 'gold', memberNo: 'AB1234', birthDate: '2000-02-29', score: 7.5, newsletter: true, tags: ['x'] } },
      });
      expect(ok.status).toBe(201);
      const created = (await events(ok.body.id))[0];
      expect(created.data.attributes).toEqual({ plan: 'gold', memberNo: 'AB1234', score: 7.5, newsletter: true, tags: ['x'] });
      expect(JSON.stringify(created)).not.toContain('2000-02-29');
    });

    it('keeps unique attributes unique (case-insensitively) and frees the value on change', async () => {
      const a = await call<User>('POST', '/v1/users', { as: key, json: { email: email('u'), attributes: { plan: 'free', memberNo: 'CD1000' } } });
      expect(a.status).toBe(201);
      const clash = await call('POST', '/v1/users', { as: key, json: { email: email('u'), attributes: { plan: 'free', memberNo: 'CD1000' } } });
      expect(expectProblem(clash, 409, 'attribute_value_taken').errors?.[0].field).toBe('attributes.memberNo');
      await call('PATCH', `/v1/users/${a.body.id}`, { as: key, json: { attributes: { memberNo: 'CD1001' } } });
      expect((await call('POST', '/v1/users', { as: key, json: { email: email('u'), attributes: { plan: 'free', memberNo: 'CD1000' } } })).status).toBe(201);
    });

    it('applies new rules to new writes only: existing users stay writable', async () => {
      const old = (await call<User>('POST', '/v1/users', { as: key, json: { email: email('old'), attributes: { plan: 'free' } } })).body;
      const current = await call<{ attributes: unknown[] }>('GET', '/v1/profile-schema', { as: key });
      const put = await schema([...current.body.attributes, { name: 'region', type: 'string', required: true }], { 'if-match': current.headers.get('etag')! });
      expect(put.status).toBe(200);
      const patched = await call<User>('PATCH', `/v1/users/${old.id}`, { as: key, json: { givenName: 'Still fine' } });
      expect(patched.status).toBe(200);
      expectProblem(await call('PATCH', `/v1/users/${old.id}`, { as: key, json: { attributes: { region: null } } }), 400, 'validation_failed');
      const fresh = await call('POST', '/v1/users', { as: key, json: { email: email('new'), attributes: { plan: 'free' } } });
      expect(expectProblem(fresh, 400, 'validation_failed').errors).toEqual([{ field: 'attributes.region', message: 'attributes.region is required' }]);
    });

    it('refuses to make an attribute unique while users share a value, and refuses stale or unsafe schemas', async () => {
      const current = await call<{ attributes: { name: string }[] }>('GET', '/v1/profile-schema', { as: key });
      const attrs = current.body.attributes.filter((a) => a.name !== 'region');
      expect((await schema(attrs)).status).toBe(200);
      await call('POST', '/v1/users', { as: key, json: { email: email('d1'), attributes: { plan: 'free', score: 1 } } });
      await call('POST', '/v1/users', { as: key, json: { email: email('d2'), attributes: { plan: 'free', score: 1 } } });
      const uniqueScore = attrs.map((a) => (a.name === 'score' ? { ...a, unique: true } : a));
      expect(expectProblem(await schema(uniqueScore), 409, 'schema_conflict').errors?.[0].field).toBe('attributes.score');
      const unchanged = await call<{ attributes: { name: string; unique: boolean }[] }>('GET', '/v1/profile-schema', { as: key });
      expect(unchanged.body.attributes.find((a) => a.name === 'score')?.unique).toBe(false);
      expectProblem(await schema(attrs, { 'if-match': 'W/"1"' }), 412, 'precondition_failed');
      const unsafe = await schema([{ name: 'evil', type: 'string', pattern: '(a+)+$' }]);
      expect(expectProblem(unsafe, 400, 'validation_failed').errors?.[0].field).toBe('attributes[0].pattern');
      expectProblem(await schema([{ name: 'x', type: 'enum' }]), 400, 'validation_failed');
      expectProblem(await schema([{ name: '1bad', type: 'string' }]), 400, 'validation_failed');
      expectProblem(await call('PUT', '/v1/profile-schema', { as: keyOf(tenant, ['users:write']), json: { attributes: [] } }), 403, 'insufficient_scope');
    });
  });

  describe('failing requests', () => {
    it.each([
      ['email (no identifier at all)', {}, 'email'],
      ['email', { email: 'not-an-email' }, 'email'],
      ['phoneNumber', { phoneNumber: '0123' }, 'phoneNumber'],
      ['locale', { email: 'a@example.com', locale: 'english please' }, 'locale'],
      ['password (too short)', { email: 'a@example.com', password: 'short' }, 'password'],
      ['status (deleted is not settable)', { email: 'a@example.com', status: 'deleted' }, 'status'],
      ['unknown field', { email: 'a@example.com', isAdmin: true }, 'isAdmin'],
      ['appMetadata (over 16 KiB)', { email: 'a@example.com', appMetadata: { blob: 'x'.repeat(20_000) } }, 'appMetadata'],
    ])('rejects a bad %s with a field error', async (_label, body, field) => {
      const problem = expectProblem(await create(body), 400, 'validation_failed');
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    });

    it('answers malformed JSON and other media types with 4xx', async () => {
      expectProblem(await call('POST', '/v1/users', { as: admin, body: '{"email":', contentType: 'application/json' }), 400);
      expectProblem(await call('POST', '/v1/users', { as: admin, body: 'email=a@b.c', contentType: 'application/x-www-form-urlencoded' }), 415);
    });

    it('never shows a tenant the users of another tenant', async () => {
      const mine = (await create({ email: email('mine') })).body;
      const other = keyOf(globex);
      expectProblem(await call('GET', `/v1/users/${mine.id}`, { as: other }), 404, 'user_not_found');
      expectProblem(await call('PATCH', `/v1/users/${mine.id}`, { as: other, json: { givenName: 'x' } }), 404, 'user_not_found');
      expectProblem(await call('DELETE', `/v1/users/${mine.id}`, { as: other }), 404, 'user_not_found');
      const listed = await call<Page<User>>('GET', `/v1/users?email=${encodeURIComponent(mine.email!)}`, { as: other });
      expect(listed.body.items).toEqual([]);
      expect((await call<User>('GET', `/v1/users/${mine.id}`, { as: admin })).status).toBe(200);
    });

    it('needs users:read to read and users:write to write; the platform key needs a tenant', async () => {
      const reader = keyOf(acme, ['users:read']);
      expect((await call('GET', '/v1/users', { as: reader })).status).toBe(200);
      expectProblem(await create({ email: email('r') }, reader), 403, 'insufficient_scope');
      expectProblem(await call('GET', '/v1/users', { as: keyOf(acme, ['audit:read']) }), 403, 'insufficient_scope');
      expectProblem(await call('GET', '/v1/users', { as: platformKey }), 403);
      expectProblem(await call('GET', '/v1/users/not-a-uuid', { as: admin }), 404, 'user_not_found');
    });
  });
});
