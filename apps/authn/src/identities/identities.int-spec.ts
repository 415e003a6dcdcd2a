import { randomBytes, randomUUID } from 'node:crypto';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, encodePrincipal } from '@keyline/platform-http';
import { verifyPassword } from '@keyline/platform-passwords';
import { PrivateKafka, ServiceProcess, TestDatabase, createTestDatabase, httpCall, startPrivateKafka, startServiceProcess, testRedisDb, waitFor } from '@keyline/platform-testing';
import bcrypt from 'bcryptjs';
import { Client } from 'pg';

type Row = Record<string, unknown>;

/**
 * The hand-over of identities and password hashes from the directory to authn, with both services,
 * their own Postgres databases and Kafka in between: what authn will sign users in with.
 */
describe('authn identity read model, fed by the directory over Kafka', () => {
  let broker: PrivateKafka;
  let directoryDb: TestDatabase;
  let authnDb: TestDatabase;
  let authnPg: Client;
  let directory: ServiceProcess;
  let authn: ServiceProcess;
  let sessions: ServiceProcess;
  let internalToken: string;
  let tenant: { id: string; slug: string };
  let admin: Principal;

  const call = <T = Row>(method: string, path: string, as: Principal, body?: { json?: unknown; body?: string; contentType?: string }) =>
    httpCall<T>(directory.url, method, path, { headers: { [INTERNAL_TOKEN_HEADER]: internalToken, [PRINCIPAL_HEADER]: encodePrincipal(as) }, ...body });
  const identity = async (userId: string) => (await authnPg.query('SELECT * FROM identities WHERE "tenantId" = $1 AND "userId" = $2', [tenant.id, userId])).rows[0] as Row | undefined;
  const credential = async (userId: string) => (await authnPg.query('SELECT * FROM password_credentials WHERE "tenantId" = $1 AND "userId" = $2', [tenant.id, userId])).rows[0] as Row | undefined;

  beforeAll(async () => {
    // A broker of its own: a new read model reads the user topic from its beginning, which on the
    // shared broker holds every other suite's users.
    [broker, directoryDb, authnDb] = await Promise.all([startPrivateKafka(), createTestDatabase('authn_ids_directory'), createTestDatabase('authn_ids_authn')]);
    internalToken = randomBytes(24).toString('base64url');
    const common = { REDIS_URL: testRedisDb(), KAFKA_BROKERS: broker.brokers.join(','), INTERNAL_TOKEN: internalToken, OUTBOX_POLL_MS: '50' };
    [directory, sessions] = await Promise.all([startServiceProcess('directory', { ...common, DATABASE_URL: directoryDb.url }), startServiceProcess('sessions', common)]);
    authn = await startServiceProcess('authn', { ...common, DATABASE_URL: authnDb.url, DIRECTORY_URL: directory.url, SESSIONS_URL: sessions.url });
    authnPg = new Client({ connectionString: authnDb.url });
    await authnPg.connect();
    const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
    tenant = (await call<{ id: string; slug: string }>('POST', '/v1/tenants', platform, { json: { slug: `authn-${randomBytes(3).toString('hex')}`, name: 'Authn' } })).body;
    admin = { kind: 'tenant', keyId: randomUUID(), tenantId: tenant.id, tenantSlug: tenant.slug, scopes: ['admin'] };
  });

  afterAll(async () => {
    await Promise.all([directory?.stop(), authn?.stop(), sessions?.stop()]);
    await authnPg?.end();
    await Promise.all([directoryDb?.drop(), authnDb?.drop(), broker?.destroy()]);
  });

  it('receives a user and the argon2id hash of the password it was created with, and nothing that reveals the password', async () => {
    const user = (await call<{ id: string }>('POST', '/v1/users', admin, { json: { email: 'Ada@Example.com', givenName: 'Ada', password: 'correct horse battery' } })).body;
    const row = await waitFor(() => identity(user.id), 30_000, 100, 'identity in authn');
    expect(row).toEqual(expect.objectContaining({ email: 'Ada@Example.com', emailKey: 'ada@example.com', status: 'active', claims: '{"given_name":"Ada"}' }));
    const cred = await waitFor(() => credential(user.id), 30_000, 100, 'credential in authn');
    expect(cred).toEqual(expect.objectContaining({ format: 'argon2id', source: 'api' }));
    await expect(verifyPassword('correct horse battery', cred.hash as string)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery!', cred.hash as string)).resolves.toBe(false);
    expect(directory.output() + authn.output()).not.toContain('correct horse');
  });

  it('receives imported legacy hashes that verify the original password', async () => {
    const legacy = bcrypt.hashSync('tr0ub4dor&3', 4).replace('$2a$', '$2y$');
    const line = JSON.stringify({ email: 'grace@example.com', passwordHash: { format: 'bcrypt', hash: legacy } });
    const job = await call<{ id: string }>('POST', '/v1/users/imports', admin, { body: `${line}\n`, contentType: 'application/x-ndjson' });
    expect(job.status).toBe(202);
    await waitFor(async () => (await call<{ status: string }>('GET', `/v1/users/imports/${job.body.id}`, admin)).body.status === 'completed' || undefined, 30_000, 100, 'import');
    const [grace] = (await call<{ items: { id: string }[] }>('GET', '/v1/users?email=grace@example.com', admin)).body.items;
    const cred = await waitFor(() => credential(grace.id), 30_000, 100, 'imported credential in authn');
    expect(cred).toEqual(expect.objectContaining({ format: 'bcrypt', source: 'import' }));
    await expect(verifyPassword('tr0ub4dor&3', cred.hash as string)).resolves.toBe(true);

    // The first sign-in verifies the bcrypt hash once and replaces it with argon2id.
    const signIn = async (password: string) => {
      const flow = await httpCall<{ id: string }>(authn.url, 'POST', `/t/${tenant.slug}/v1/flows/sign-in`, { json: {} });
      return httpCall<{ step: string; session?: { token: string } }>(authn.url, 'POST', `/t/${tenant.slug}/v1/flows/${flow.body.id}`, {
        json: { method: 'password', identifier: 'GRACE@example.com', password },
      });
    };
    expect((await signIn('tr0ub4dor&4')).status).toBe(401);
    expect(await credential(grace.id)).toEqual(expect.objectContaining({ format: 'bcrypt' }));
    const ok = await signIn('tr0ub4dor&3');
    expect(ok.status).toBe(200);
    expect(ok.body.step).toBe('complete');
    expect(ok.body.session?.token).toMatch(/^kls_/);
    const upgraded = await credential(grace.id);
    expect(upgraded).toEqual(expect.objectContaining({ format: 'argon2id', source: 'rehash' }));
    expect(upgraded?.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(verifyPassword('tr0ub4dor&3', upgraded?.hash as string)).resolves.toBe(true);
    expect((await signIn('tr0ub4dor&3')).status).toBe(200);
  });

  it('follows suspension and deletion: a deleted user keeps no identifiers and no credential', async () => {
    const user = (await call<{ id: string }>('POST', '/v1/users', admin, { json: { username: 'leaver', password: 'a long enough password' } })).body;
    await waitFor(() => credential(user.id), 30_000, 100, 'credential');
    await call('PATCH', `/v1/users/${user.id}`, admin, { json: { status: 'suspended' } });
    await waitFor(async () => ((await identity(user.id))?.status === 'suspended' ? true : undefined), 30_000, 100, 'suspension');
    expect((await call('DELETE', `/v1/users/${user.id}`, admin)).status).toBe(204);
    await waitFor(async () => ((await identity(user.id))?.status === 'deleted' ? true : undefined), 30_000, 100, 'deletion');
    expect(await identity(user.id)).toEqual(expect.objectContaining({ username: null, usernameKey: null, claims: '{}' }));
    expect(await credential(user.id)).toBeUndefined();
  });
});
