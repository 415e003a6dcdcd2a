import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, encodePrincipal } from '@keyline/platform-http';
import { ServiceProcess, TestDatabase, createTestDatabase, startServiceProcess, testKafkaBrokers, testRedisDb, waitFor } from '@keyline/platform-testing';
import { Client } from 'pg';
import { directoryClient, expectProblem } from '../testing/directory.client';
import { fakeBcrypt, generateUsersNdjson, generatedUser } from './import.testing';

type Tenant = { id: string; slug: string };
type User = Record<string, unknown> & { id: string; email: string | null; status: string };
type Page<T> = { items: T[]; nextCursor: string | null };
type Job = {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  onConflict: string;
  totalLines: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  errors: { line: number; field?: string; message: string }[];
  failureReason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};
type Envelope = { type: string; tenantId: string; subject: string; data: Record<string, unknown> };

const NDJSON = 'application/x-ndjson';
const run = randomBytes(3).toString('hex');
const platform: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };
const keyOf = (t: Tenant, scopes = ['admin']): Principal => ({ kind: 'tenant', keyId: randomUUID(), tenantId: t.id, tenantSlug: t.slug, scopes });
const ndjson = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join('\n') + '\n';
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

describe('bulk user import and export (real directory on Postgres, Redis and Kafka)', () => {
  let db: TestDatabase;
  let pg: Client;
  let svc: ServiceProcess;
  let internalToken: string;
  let call: ReturnType<typeof directoryClient>;
  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisDb(),
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    INTERNAL_TOKEN: internalToken,
    // Every process on this database agrees on it: a job is interrupted after 3 missed beats.
    IMPORT_HEARTBEAT_MS: '1000',
  });

  const newTenant = async (name: string) => (await call<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `${name}-${run}`, name } })).body;
  const upload = (as: Principal, body: string, query = '') => call<Job>('POST', `/v1/users/imports${query}`, { as, body, contentType: NDJSON });
  const job = (as: Principal, id: string) => call<Job>('GET', `/v1/users/imports/${id}`, { as });
  const finished = (as: Principal, id: string, timeoutMs = 60_000) =>
    waitFor(
      async () => {
        const j = (await job(as, id)).body;
        return j.status === 'completed' || j.status === 'failed' ? j : undefined;
      },
      timeoutMs,
      100,
      `import ${id} to finish`,
    );
  const outbox = async (tenantId: string): Promise<Envelope[]> => {
    const { rows } = await pg.query<{ payload: string }>('SELECT payload FROM outbox_events ORDER BY seq');
    return rows.map((r) => JSON.parse(r.payload) as Envelope).filter((e) => e.tenantId === tenantId);
  };

  beforeAll(async () => {
    db = await createTestDatabase('directory_imports');
    internalToken = randomBytes(24).toString('base64url');
    svc = await startServiceProcess('directory', env());
    call = directoryClient(svc.url, internalToken);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await svc?.stop();
    await pg?.end();
    await db?.drop();
  });

  describe('importing', () => {
    let acme: Tenant;
    let admin: Principal;
    const prefix = `acme-${run}`;
    const total = 2000;
    const lines: Record<string, unknown>[] = [];
    const taken = `taken-${run}@example.com`;
    const salt = 'legacy-salt';
    const saltedDigest = createHash('sha256').update('hunter2' + salt).digest('hex');
    let imported: Job;

    beforeAll(async () => {
      acme = await newTenant('acme');
      admin = keyOf(acme);
      expect((await call('PUT', '/v1/profile-schema', { as: admin, json: { attributes: [{ name: 'plan', type: 'enum', allowedValues: ['free', 'gold'] }] } })).status).toBe(200);
      expect((await call('POST', '/v1/users', { as: admin, json: { email: taken } })).status).toBe(201);
      for (let n = 1; n <= total; n++) lines.push(generatedUser(n, { prefix, hashEvery: 10, extra: (i) => (i % 7 === 0 ? { attributes: { plan: 'gold' } } : {}) }));
      const at = (n: number, change: Record<string, unknown>) => (lines[n - 1] = { ...lines[n - 1], ...change });
      at(5, { email: 'not-an-email' });
      at(17, { attributes: { shoeSize: 44 } });
      at(30, { email: taken.toUpperCase() });
      at(40, { passwordHash: { format: 'md5', hash: '5f4dcc3b5aa765d61d8327deb882cf99' } });
      at(50, { password: 'correct horse battery staple' });
      at(77, { passwordHash: { format: 'salted-sha256', hash: saltedDigest, salt, saltPosition: 'suffix' } });
      at(600, { email: lines[598].email });
      at(1200, { email: lines[2].email });

      const res = await upload(admin, ndjson(lines));
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/v1/users/imports/${res.body.id}`);
      expect(res.body).toEqual(expect.objectContaining({ status: 'queued', totalLines: total, processed: 0, onConflict: 'fail' }));
      imported = await finished(admin, res.body.id);
    });

    it('counts every line and reports each bad one with its 1-based line number and field', () => {
      expect(imported).toEqual(expect.objectContaining({ status: 'completed', totalLines: total, processed: total, created: total - 7, skipped: 0, failed: 7, failureReason: null }));
      expect(imported.errors.map((e) => [e.line, e.field])).toEqual([
        [5, 'email'],
        [17, 'attributes.shoeSize'],
        [30, 'email'],
        [40, 'passwordHash'],
        [50, 'password'],
        [600, 'email'],
        [1200, 'email'],
      ]);
      const byLine = new Map(imported.errors.map((e) => [e.line, e.message]));
      expect(byLine.get(30)).toBe('email is already taken');
      expect(byLine.get(600)).toBe('email duplicates line 599');
      expect(byLine.get(1200)).toBe('email is already taken');
      expect(byLine.get(50)).toMatch(/not accepted in imports.*passwordHash/);
      expect(byLine.get(40)).toContain('passwordHash.format must be one of');
      expect(new Date(imported.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(imported.startedAt!).getTime());
    });

    it('creates the good lines as users the API finds, without any hash in its answers', async () => {
      for (const n of [1, 10, 77, 599, 2000]) {
        const found = await call<Page<User>>('GET', `/v1/users?email=${encodeURIComponent(String(lines[n - 1].email))}`, { as: admin });
        expect(found.body.items).toHaveLength(1);
        const u = found.body.items[0];
        expect(u).toEqual(expect.objectContaining({ givenName: `Given${n}`, status: 'active', appMetadata: { importedFrom: 'legacy', legacyId: n }, version: 1 }));
        const got = await call<User>('GET', `/v1/users/${u.id}`, { as: admin });
        expect(got.body).toEqual(u);
        expect(JSON.stringify(got.body)).not.toMatch(/\$2b\$|salted-sha256|passwordHash/);
      }
      for (const n of [5, 17, 40, 50]) {
        const email = String(lines[n - 1].email);
        if (email.includes('@')) expect((await call<Page<User>>('GET', `/v1/users?email=${encodeURIComponent(email)}`, { as: admin })).body.items).toEqual([]);
      }
      expect(JSON.stringify(imported)).not.toMatch(/\$2b\$|correct horse|5f4dcc3b/);
    });

    it('publishes user.created for each new user and the imported hashes for authn, never a hash in user.created', async () => {
      const events = await outbox(acme.id);
      const created = events.filter((e) => e.type === 'user.created');
      // The user created through the API before the import, plus every imported one.
      expect(created).toHaveLength(1 + total - 7);
      expect(JSON.stringify(created)).not.toMatch(/\$2b\$|salted-sha256|passwordHash/);
      const credentials = events.filter((e) => e.type === 'credential.password-set');
      const withHash = lines.filter((l, i) => l.passwordHash && ![40, 600, 1200, 30, 50].includes(i + 1));
      expect(credentials).toHaveLength(withHash.length);
      const u10 = created.find((e) => e.data.email === lines[9].email)!;
      expect(credentials.find((e) => e.subject === u10.subject)?.data).toEqual({
        userId: u10.subject,
        tenantId: acme.id,
        format: 'bcrypt',
        hash: fakeBcrypt(`${prefix}-10`),
        source: 'import',
      });
      const u77 = created.find((e) => e.data.email === lines[76].email)!;
      const salted = credentials.find((e) => e.subject === u77.subject)?.data;
      expect(salted).toEqual(expect.objectContaining({ format: 'salted-sha256', source: 'import' }));
      expect(salted?.hash).toBe(
        `$salted-sha256$pos=suffix$${Buffer.from(salt).toString('base64').replace(/=+$/, '')}$${Buffer.from(saltedDigest, 'hex').toString('base64').replace(/=+$/, '')}`,
      );
      expect(u10.data.attributes).toEqual({});
      expect(created.find((e) => e.data.email === lines[6].email)?.data.attributes).toEqual({ plan: 'gold' });
    });

    it('skips lines whose identifiers are taken with onConflict=skip', async () => {
      const res = await upload(admin, ndjson([{ email: taken }, { email: `skip-a-${run}@example.com` }, { email: String(lines[0].email).toUpperCase() }, { email: `skip-b-${run}@example.com` }]), '?onConflict=skip');
      expect(res.status).toBe(202);
      const j = await finished(admin, res.body.id);
      expect(j).toEqual(expect.objectContaining({ status: 'completed', onConflict: 'skip', totalLines: 4, processed: 4, created: 2, skipped: 2, failed: 0, errors: [] }));
      expectProblem(await upload(admin, '{"email":"x@example.com"}\n', '?onConflict=overwrite'), 400, 'validation_failed');
    });

    it('lists the tenant\'s imports, and keeps them from every other tenant', async () => {
      const list = await call<Page<Job>>('GET', '/v1/users/imports?limit=1', { as: admin });
      expect(list.status).toBe(200);
      expect(list.body.items.map((j) => j.id)).toEqual([imported.id]);
      expect(list.body.items[0]).not.toHaveProperty('errors');
      expect(list.body.nextCursor).not.toBeNull();

      const globex = keyOf(await newTenant('globex'));
      expectProblem(await job(globex, imported.id), 404, 'import_not_found');
      expectProblem(await job(admin, 'not-a-uuid'), 404, 'import_not_found');
      expect((await call<Page<Job>>('GET', '/v1/users/imports', { as: globex })).body.items).toEqual([]);
      const exported = await call<string>('GET', '/v1/users/export', { as: globex });
      expect(exported.status).toBe(200);
      expect(String(exported.body ?? '')).not.toContain(prefix);
    });

    it('needs users:write to import and users:read to follow', async () => {
      const reader = keyOf(acme, ['users:read']);
      expectProblem(await upload(reader, '{"email":"r@example.com"}\n'), 403, 'insufficient_scope');
      expect((await job(reader, imported.id)).status).toBe(200);
      expectProblem(await job(keyOf(acme, ['audit:read']), imported.id), 403, 'insufficient_scope');
    });

    it('answers a JSON body, an empty upload and other media types with 4xx problems', async () => {
      expectProblem(await call('POST', '/v1/users/imports', { as: admin, json: [{ email: 'a@example.com' }] }), 415, 'unsupported_media_type');
      expectProblem(await call('POST', '/v1/users/imports', { as: admin, body: 'email=a@b.c', contentType: 'application/x-www-form-urlencoded' }), 415);
      expectProblem(await upload(admin, '\n\n'), 400, 'validation_failed');
      // Every other route stays JSON-only.
      expectProblem(await call('POST', '/v1/users', { as: admin, body: '{"email":"a@example.com"}\n', contentType: NDJSON }), 415);
    });
  });

  describe('exporting', () => {
    let tenant: Tenant;
    let key: Principal;
    const count = 2500;

    beforeAll(async () => {
      tenant = await newTenant('export');
      key = keyOf(tenant);
      const res = await upload(key, generateUsersNdjson(count, { prefix: `exp-${run}`, hashEvery: 3 }));
      expect((await finished(key, res.body.id)).created).toBe(count);
    });

    const exportLines = async (qs = '') => {
      const res = await fetch(`${svc.url}/v1/users/export${qs}`, {
        headers: { [INTERNAL_TOKEN_HEADER]: internalToken, [PRINCIPAL_HEADER]: encodePrincipal(key) },
      });
      return { res, lines: (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as User) };
    };

    it('is not captured by /v1/users/{id}: /export and /imports are routes of their own', async () => {
      const r = await call('GET', '/v1/users/export', { as: key });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect((await call('GET', '/v1/users/imports', { as: key })).status).toBe(200);
      expectProblem(await call('GET', `/v1/users/${randomUUID()}`, { as: key }), 404, 'user_not_found');
    });

    it('streams every user of the tenant as the API shows them, in creation order, never with a hash', async () => {
      const { res, lines } = await exportLines();
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      expect(lines).toHaveLength(count);
      expect(lines.map((u) => u.id)).toEqual(lines.map((u) => u.id).sort());
      expect(new Set(lines.map((u) => u.email)).size).toBe(count);
      const sample = lines[1234];
      expect((await call<User>('GET', `/v1/users/${sample.id}`, { as: key })).body).toEqual(sample);
      expect(JSON.stringify(lines)).not.toMatch(/\$2b\$|passwordHash|hash/i);
    });

    it('filters on status and leaves deleted users out by default', async () => {
      const { lines } = await exportLines();
      const [suspend, remove] = [lines[10], lines[2000]];
      expect((await call('PATCH', `/v1/users/${suspend.id}`, { as: key, json: { status: 'suspended' } })).status).toBe(200);
      expect((await call('DELETE', `/v1/users/${remove.id}`, { as: key })).status).toBe(204);
      const all = (await exportLines()).lines;
      expect(all).toHaveLength(count - 1);
      expect(all.map((u) => u.id)).not.toContain(remove.id);
      expect((await exportLines('?status=suspended')).lines.map((u) => u.id)).toEqual([suspend.id]);
      expect((await exportLines('?status=deleted')).lines.map((u) => u.id)).toEqual([remove.id]);
      expectProblem(await call('GET', '/v1/users/export?status=gone', { as: key }), 400, 'validation_failed');
    });
  });

  it('keeps answering GET /v1/users/{id} quickly while a 20,000-line import runs in the same process', async () => {
    const tenant = await newTenant('latency');
    const key = keyOf(tenant);
    const probe = (await call<User>('POST', '/v1/users', { as: key, json: { email: `probe-${run}@example.com` } })).body;
    const res = await upload(key, generateUsersNdjson(20_000, { prefix: `lat-${run}`, hashEvery: 2 }));
    expect(res.status).toBe(202);
    const latencies: number[] = [];
    let sawRunning = false;
    let last: Job | undefined;
    const t0 = Date.now();
    while (Date.now() - t0 < 180_000) {
      const got = await call<User>('GET', `/v1/users/${probe.id}`, { as: key });
      expect(got.status).toBe(200);
      latencies.push(got.ms);
      if (latencies.length % 10 === 0) {
        last = (await job(key, res.body.id)).body;
        if (last.status === 'running') sawRunning = true;
        if (last.status === 'completed' || last.status === 'failed') break;
      }
    }
    expect(last).toEqual(expect.objectContaining({ status: 'completed', created: 20_000, failed: 0 }));
    expect(sawRunning).toBe(true);
    const p99 = percentile(latencies, 99);
    // Printed for the record: how the import and the API shared the process.
    process.stdout.write(
      `import of 20,000 users: ${((new Date(last!.finishedAt!).getTime() - new Date(last!.startedAt!).getTime()) / 1000).toFixed(1)} s; ` +
        `GET /v1/users/{id} during it: n=${latencies.length} p50=${percentile(latencies, 50).toFixed(1)} ms p99=${p99.toFixed(1)} ms max=${Math.max(...latencies).toFixed(1)} ms\n`,
    );
    expect(latencies.length).toBeGreaterThan(50);
    expect(p99).toBeLessThan(500);
  }, 240_000);

  describe('limits and failures', () => {
    it('answers 413 over IMPORT_MAX_BYTES, declared or streamed, and keeps no job', async () => {
      const small = await startServiceProcess('directory', { ...env(), IMPORT_MAX_BYTES: '4096' });
      try {
        const smallCall = directoryClient(small.url, internalToken);
        const tenant = (await smallCall<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `small-${run}`, name: 'Small' } })).body;
        const key = keyOf(tenant);
        const body = generateUsersNdjson(100, { prefix: `big-${run}` });
        expect(body.length).toBeGreaterThan(4096);
        const declared = await smallCall('POST', '/v1/users/imports', { as: key, body, contentType: NDJSON });
        expect(expectProblem(declared, 413, 'payload_too_large').detail).toContain('4096');

        const chunks = body.match(/[\s\S]{1,1000}/g)!.map((c) => Buffer.from(c));
        const streamed = await fetch(`${small.url}/v1/users/imports`, {
          method: 'POST',
          headers: { 'content-type': NDJSON, [INTERNAL_TOKEN_HEADER]: internalToken, [PRINCIPAL_HEADER]: encodePrincipal(key) },
          body: new ReadableStream<Uint8Array>({
            pull(controller) {
              const next = chunks.shift();
              if (next) controller.enqueue(next);
              else controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit);
        expect(streamed.status).toBe(413);
        expect(((await streamed.json()) as { code: string }).code).toBe('payload_too_large');
        expect((await smallCall<Page<Job>>('GET', '/v1/users/imports', { as: key })).body.items).toEqual([]);
        // Within the limit, the same process imports.
        const ok = await smallCall<Job>('POST', '/v1/users/imports', { as: key, body: generateUsersNdjson(5, { prefix: `fits-${run}` }), contentType: NDJSON });
        expect(ok.status).toBe(202);
      } finally {
        await small.stop();
      }
    });

    it('fails a job as interrupted when the process running it crashed', async () => {
      const doomed = await startServiceProcess('directory', env());
      const doomedCall = directoryClient(doomed.url, internalToken);
      const tenant = (await doomedCall<Tenant>('POST', '/v1/tenants', { as: platform, json: { slug: `crash-${run}`, name: 'Crash' } })).body;
      const key = keyOf(tenant);
      const res = await doomedCall<Job>('POST', '/v1/users/imports', { as: key, body: generateUsersNdjson(20_000, { prefix: `crash-${run}` }), contentType: NDJSON });
      expect(res.status).toBe(202);
      await waitFor(async () => (await doomedCall<Job>('GET', `/v1/users/imports/${res.body.id}`, { as: key })).body.processed > 0, 30_000, 20, 'the import to start');
      await doomed.kill();
      // The surviving replica notices within three missed heartbeats (and a booting one at once).
      const j = await finished(key, res.body.id, 20_000);
      expect(j).toEqual(expect.objectContaining({ status: 'failed', failureReason: 'interrupted' }));
      expect(j.processed).toBeLessThan(20_000);
      const { rows } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE "tenantId" = $1', [tenant.id]);
      // Counters commit with their batch: what the job says was created is what exists.
      expect(Number(rows[0].n)).toBe(j.created);
    }, 90_000);
  });
});
