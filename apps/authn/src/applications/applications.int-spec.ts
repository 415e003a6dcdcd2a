import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { AuthnTopics } from '@keyline/authn-contracts';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, type Principal, encodePrincipal } from '@keyline/platform-http';
import {
  type PrivateKafka,
  type ServiceProcess,
  type TestDatabase,
  createTestDatabase,
  expectProblem,
  httpCall,
  startPrivateKafka,
  startServiceProcess,
  testRedisDb,
  waitFor,
} from '@keyline/platform-testing';
import { Client } from 'pg';
import { AuthnKeys } from '../core/keys';
import { SecretBox } from '../crypto/secret-box';
import { ApplicationEntity } from './application.entity';
import { verifyClientSecret } from './client-secret';

type App = Record<string, unknown> & { id: string; clientId: string; clientSecret?: string; version: number };
type Row = Record<string, unknown>;

/**
 * The applications API of the built authn process on its own Postgres database: what the gateway
 * forwards for a tenant key, and the events it leaves in the outbox.
 */
describe('applications API (authn, Postgres, Kafka)', () => {
  let broker: PrivateKafka;
  let db: TestDatabase;
  let pg: Client;
  let authn: ServiceProcess;
  let internalToken: string;
  // Known server keys, so that the test can check stored hashes the way the provider will.
  const keySpec = SecretBox.generateKeySpec('int1');
  const keys = new AuthnKeys(keySpec);
  const tenantKey = (scopes: string[]): Principal & { kind: 'tenant' } => {
    const slug = `t-${randomBytes(3).toString('hex')}`;
    return { kind: 'tenant', keyId: randomUUID(), tenantId: randomUUID(), tenantSlug: slug, scopes };
  };
  const acme = tenantKey(['admin']);
  const globex = tenantKey(['admin']);

  const call = <T = Row>(method: string, path: string, as: Principal, opts: { json?: unknown; headers?: Record<string, string> } = {}) =>
    httpCall<T>(authn.url, method, path, { json: opts.json, headers: { [INTERNAL_TOKEN_HEADER]: internalToken, [PRINCIPAL_HEADER]: encodePrincipal(as), ...opts.headers } });
  const create = (as: Principal, json: unknown) => call<App>('POST', '/v1/applications', as, { json });
  const web = (over: Row = {}) => ({ name: 'Shop', type: 'web', redirectUris: ['https://shop.example.com/callback'], ...over });
  const row = async (id: string) => (await pg.query('SELECT * FROM applications WHERE id = $1', [id])).rows[0] as Row | undefined;
  /** An application row as the provider reads it (bigint columns as dates). */
  const entity = async (id: string): Promise<ApplicationEntity> => {
    const r = (await row(id)) as Row;
    const date = (v: unknown) => (v === null ? null : new Date(Number(v)));
    return Object.assign(new ApplicationEntity(), r, { previousSecretExpiresAt: date(r.previousSecretExpiresAt), deletedAt: date(r.deletedAt) });
  };
  const outbox = async (subject: string) =>
    (await pg.query('SELECT topic, payload, "sentAt" FROM outbox_events ORDER BY seq')).rows
      .map((r: Row) => ({ topic: r.topic as string, sentAt: r.sentAt, raw: r.payload as string, event: JSON.parse(r.payload as string) as Row & { data: Row } }))
      .filter((r) => r.event.subject === subject);

  beforeAll(async () => {
    // A broker of its own: authn's identity consumer group must not take partitions from other suites' authn.
    [broker, db] = await Promise.all([startPrivateKafka(), createTestDatabase('authn_applications')]);
    internalToken = randomBytes(24).toString('base64url');
    authn = await startServiceProcess('authn', {
      DATABASE_URL: db.url,
      REDIS_URL: testRedisDb(),
      KAFKA_BROKERS: broker.brokers.join(','),
      INTERNAL_TOKEN: internalToken,
      OUTBOX_POLL_MS: '50',
      AUTHN_ENCRYPTION_KEYS: keySpec,
    });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await authn?.stop();
    await pg?.end();
    await Promise.all([db?.drop(), broker?.destroy()]);
  });

  it('shows the secret of a confidential client once, at creation, and stores only its keyed hash', async () => {
    const res = await create(acme, web({ postLogoutRedirectUris: ['https://shop.example.com/bye'] }));
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('location')).toBe(`/v1/applications/${res.body.id}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const secret = res.body.clientSecret as string;
    expect(secret).toMatch(/^klcs_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toEqual(
      expect.objectContaining({
        clientId: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        name: 'Shop',
        type: 'web',
        confidential: true,
        firstParty: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        accessTokenTtlSeconds: 900,
        refreshTokenRotation: true,
        idTokenSignedResponseAlg: 'ES256',
        version: 1,
      }),
    );
    expect(res.body).not.toHaveProperty('secretHash');
    expect(res.body).not.toHaveProperty('tenantId');

    const got = await call<App>('GET', `/v1/applications/${res.body.id}`, acme);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('W/"1"');
    const { clientSecret: _shown, ...view } = res.body;
    expect(got.body).toEqual(view);
    const listed = await call<{ items: App[] }>('GET', '/v1/applications', acme);
    expect(JSON.stringify(got.body) + JSON.stringify(listed.body)).not.toMatch(/klcs_|secretHash/);

    const stored = await entity(res.body.id);
    expect(stored.secretHash).not.toContain(secret.slice(5));
    expect(verifyClientSecret(keys, secret, stored, new Date())).toBe(true);
    expect(verifyClientSecret(keys, `${secret}x`, stored, new Date())).toBe(false);
  });

  it('creates public clients (SPA, native) without a secret', async () => {
    const spa = await create(acme, { name: 'SPA', type: 'spa', redirectUris: ['https://app.example.com/cb'], corsOrigins: ['https://app.example.com'] });
    expect(spa.status).toBe(201);
    expect(spa.body).not.toHaveProperty('clientSecret');
    expect(spa.body).toEqual(expect.objectContaining({ tokenEndpointAuthMethod: 'none', confidential: false, corsOrigins: ['https://app.example.com'] }));
    expect((await row(spa.body.id))?.secretHash).toBeNull();
    const native = await create(acme, { name: 'iOS', type: 'native', redirectUris: ['com.example.shop:/callback'] });
    expect(native.status).toBe(201);
    expect(native.body).not.toHaveProperty('clientSecret');
  });

  it.each([
    ['a wildcard redirect URI', web({ redirectUris: ['https://*.example.com/callback'] }), 'redirectUris[0]'],
    ['http on a public host', web({ redirectUris: ['http://shop.example.com/callback'] }), 'redirectUris[0]'],
    ['a fragment', web({ redirectUris: ['https://shop.example.com/callback#x'] }), 'redirectUris[0]'],
    ['a machine app with redirect URIs', { name: 'Batch', type: 'machine', redirectUris: ['https://batch.example.com/cb'] }, 'redirectUris'],
    ['an SPA with client_secret_basic', { name: 'SPA', type: 'spa', redirectUris: ['https://a.example.com/cb'], tokenEndpointAuthMethod: 'client_secret_basic' }, 'tokenEndpointAuthMethod'],
    [
      'a private key in jwks',
      web({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })] } }),
      'jwks.keys[0]',
    ],
    ['an unknown field', web({ clientSecret: 'mine' }), 'clientSecret'],
    ['a TTL out of range', web({ accessTokenTtlSeconds: 10 }), 'accessTokenTtlSeconds'],
  ])('refuses %s with 400 validation_failed naming the field', async (_what, body, field) => {
    const res = await create(acme, body);
    const p = expectProblem(res, 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toContain(field);
  });

  it("keeps tenants apart: another tenant's application is 404 for every route and never listed", async () => {
    const mine = (await create(acme, web({ name: 'Acme only' }))).body;
    for (const [method, path, json] of [
      ['GET', `/v1/applications/${mine.id}`, undefined],
      ['PATCH', `/v1/applications/${mine.id}`, { name: 'Taken' }],
      ['DELETE', `/v1/applications/${mine.id}`, undefined],
      ['POST', `/v1/applications/${mine.id}/secret`, { gracePeriodSeconds: 60 }],
    ] as const) {
      const res = await call(method, path, globex, { json });
      expectProblem(res, 404, 'application_not_found');
      expect(JSON.stringify(res.body)).not.toContain(mine.clientId);
    }
    const theirs = await call<{ items: App[] }>('GET', '/v1/applications', globex);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((a) => a.id)).not.toContain(mine.id);
    const ours = await call<{ items: App[] }>('GET', '/v1/applications?limit=200', acme);
    expect(ours.body.items.map((a) => a.id)).toContain(mine.id);
    expect((await call<App>('GET', `/v1/applications/${mine.id}`, acme)).body.name).toBe('Acme only');
  });

  it('pages with a cursor', async () => {
    const tenant = tenantKey(['applications:read', 'applications:write']);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create(tenant, web({ name: `App ${i}` }))).body.id);
    const first = await call<{ items: App[]; nextCursor: string | null }>('GET', '/v1/applications?limit=2', tenant);
    expect(first.body.items).toHaveLength(2);
    const second = await call<{ items: App[]; nextCursor: string | null }>('GET', `/v1/applications?limit=2&cursor=${first.body.nextCursor}`, tenant);
    expect(second.body.nextCursor).toBeNull();
    expect([...first.body.items, ...second.body.items].map((a) => a.id)).toEqual([...ids].sort());
  });

  it('changes an application with a merge patch and refuses a stale If-Match with 412', async () => {
    const app = (await create(acme, web())).body;
    const patched = await call<App>('PATCH', `/v1/applications/${app.id}`, acme, {
      json: { name: 'Shop v2', accessTokenTtlSeconds: 600, scopes: null },
      headers: { 'if-match': 'W/"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"2"');
    expect(patched.body).toEqual(expect.objectContaining({ name: 'Shop v2', accessTokenTtlSeconds: 600, version: 2 }));
    expect(patched.body).not.toHaveProperty('clientSecret');

    expectProblem(await call('PATCH', `/v1/applications/${app.id}`, acme, { json: { name: 'Lost update' }, headers: { 'if-match': 'W/"1"' } }), 412, 'precondition_failed');
    expectProblem(await call('PATCH', `/v1/applications/${app.id}`, acme, { json: { type: 'spa' } }), 400, 'validation_failed');
    expect((await call<App>('GET', `/v1/applications/${app.id}`, acme)).body.name).toBe('Shop v2');
  });

  it('rotates a confidential secret with a grace period for the old one; public clients have none (409)', async () => {
    const created = (await create(acme, { name: 'Batch', type: 'machine' })).body;
    const before = Date.now();
    const res = await call<{ clientSecret: string; previousSecretExpiresAt: string }>('POST', `/v1/applications/${created.id}/secret`, acme, { json: { gracePeriodSeconds: 3600 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.clientSecret).toMatch(/^klcs_/);
    expect(res.body.clientSecret).not.toBe(created.clientSecret);
    const expires = Date.parse(res.body.previousSecretExpiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);

    const stored = await entity(created.id);
    expect(verifyClientSecret(keys, res.body.clientSecret, stored, new Date())).toBe(true);
    expect(verifyClientSecret(keys, created.clientSecret as string, stored, new Date())).toBe(true);
    expect(verifyClientSecret(keys, created.clientSecret as string, stored, new Date(expires + 1))).toBe(false);

    // Without a body: no grace, the previous secret stops at once.
    const now = await call<{ clientSecret: string; previousSecretExpiresAt: string | null }>('POST', `/v1/applications/${created.id}/secret`, acme);
    expect(now.status).toBe(200);
    expect(now.body.previousSecretExpiresAt).toBeNull();
    expect(verifyClientSecret(keys, res.body.clientSecret, await entity(created.id), new Date())).toBe(false);

    expectProblem(await call('POST', `/v1/applications/${created.id}/secret`, acme, { json: { gracePeriodSeconds: 604_801 } }), 400, 'validation_failed');
    const spa = (await create(acme, { name: 'SPA', type: 'spa', redirectUris: ['https://app.example.com/cb'] })).body;
    expectProblem(await call('POST', `/v1/applications/${spa.id}/secret`, acme, { json: {} }), 409, 'public_client');
  });

  it('deletes softly: the application is gone for the API and the provider at once', async () => {
    const app = (await create(acme, web())).body;
    expect((await call('DELETE', `/v1/applications/${app.id}`, acme)).status).toBe(204);
    expectProblem(await call('GET', `/v1/applications/${app.id}`, acme), 404, 'application_not_found');
    expectProblem(await call('DELETE', `/v1/applications/${app.id}`, acme), 404, 'application_not_found');
    const listed = await call<{ items: App[] }>('GET', '/v1/applications?limit=200', acme);
    expect(listed.body.items.map((a) => a.id)).not.toContain(app.id);
    const stored = await entity(app.id);
    expect(stored.deletedAt).toBeInstanceOf(Date);
    expect(verifyClientSecret(keys, app.clientSecret as string, stored, new Date())).toBe(false);
  });

  it('needs applications:read to read and applications:write to write', async () => {
    const reader = { ...acme, keyId: randomUUID(), scopes: ['applications:read'] };
    const other = { ...acme, keyId: randomUUID(), scopes: ['users:write'] };
    expect((await call('GET', '/v1/applications', reader)).status).toBe(200);
    expectProblem(await create(reader, web()), 403, 'insufficient_scope');
    expectProblem(await call('GET', '/v1/applications', other), 403, 'insufficient_scope');
  });

  it('commits every change with its event, published on the application topic, never with a secret or its hash', async () => {
    const app = (await create(acme, web())).body;
    await call('PATCH', `/v1/applications/${app.id}`, acme, { json: { name: 'Evented' } });
    const rotated = (await call<{ clientSecret: string }>('POST', `/v1/applications/${app.id}/secret`, acme, { json: { gracePeriodSeconds: 60 } })).body;
    await call('DELETE', `/v1/applications/${app.id}`, acme);
    const stored = (await row(app.id)) as Row;

    const events = await outbox(app.id);
    expect(events.map((e) => e.event.type)).toEqual(['application.created', 'application.updated', 'application.secret-rotated', 'application.deleted']);
    for (const { topic, event } of events) {
      expect(topic).toBe(AuthnTopics.application);
      expect(event).toEqual(expect.objectContaining({ tenantId: acme.tenantId, subject: app.id, actor: `api-key:${acme.keyId}` }));
      expect(event.data).toEqual(expect.objectContaining({ id: app.id, clientId: app.clientId, tenantId: acme.tenantId }));
    }
    expect(events[1].event.data.changes).toEqual(['name']);
    expect(events[3].event.data.deletedAt).toEqual(expect.any(String));
    const raw = events.map((e) => e.raw).join('\n');
    for (const secret of [app.clientSecret as string, rotated.clientSecret, stored.secretHash as string, stored.previousSecretHash as string]) {
      expect(secret).toBeTruthy();
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toMatch(/klcs_|secretHash/);
    // The relay publishes them: the topic exists and takes them.
    await waitFor(async () => ((await outbox(app.id)).every((e) => e.sentAt !== null) ? true : undefined), 60_000, 100, 'events relayed to Kafka').catch((err: Error) => {
      throw new Error(`${err.message}\n--- authn output ---\n${authn.output()}`);
    });
  });
});
