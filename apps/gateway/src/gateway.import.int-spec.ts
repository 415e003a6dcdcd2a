import { waitFor } from '@keyline/platform-testing';
import { Call, Stack, directoryKind, startStack, tenantWithKey } from './testing/gateway.harness';

type Job = { id: string; status: string; totalLines: number; processed: number; created: number; failed: number };

const NDJSON = 'application/x-ndjson';
const BODY_LIMIT = 64 * 1024;
const IMPORT_LIMIT = 2 * 1024 * 1024;

function expectProblem(res: { status: number; headers: Headers; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(expect.objectContaining({ status, code }));
}

/** `count` users as NDJSON (apps do not import each other, so not the directory's generator). */
function generateUsersNdjson(count: number, opts: { prefix: string; hashEvery?: number }): string {
  const bcrypt = `$2b$10$${'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy'}`;
  const lines: string[] = [];
  for (let n = 1; n <= count; n++) {
    const user: Record<string, unknown> = { email: `${opts.prefix}-${n}@example.com`, givenName: `Given${n}`, appMetadata: { legacyId: n } };
    if (opts.hashEvery && n % opts.hashEvery === 0) user.passwordHash = { format: 'bcrypt', hash: bcrypt };
    lines.push(JSON.stringify(user));
  }
  return lines.join('\n') + '\n';
}

/** A body sent chunked (no Content-Length), `chunkBytes` at a time. */
function chunked(body: string, chunkBytes = 16 * 1024): ReadableStream<Uint8Array> {
  const buf = Buffer.from(body);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= buf.length) return controller.close();
      controller.enqueue(buf.subarray(at, at + chunkBytes));
      at += chunkBytes;
    },
  });
}

// The import route exists in the real directory only (the stand-in has none).
const withDirectory = directoryKind() === 'real' ? describe : describe.skip;

withDirectory('gateway: bulk uploads are streamed to the directory', () => {
  let stack: Stack;
  let call: Call;
  let key: string;

  beforeAll(async () => {
    stack = await startStack('import', { BODY_LIMIT_BYTES: String(BODY_LIMIT), IMPORT_BODY_LIMIT_BYTES: String(IMPORT_LIMIT) });
    call = stack.call;
    key = stack.tenant.key;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const finished = (id: string) =>
    waitFor(
      async () => {
        const j = (await call<Job>('GET', `/v1/users/imports/${id}`, { key })).body;
        return j.status === 'completed' || j.status === 'failed' ? j : undefined;
      },
      60_000,
      100,
      'the import to finish',
    );

  const post = (body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}, k: string | null = key) =>
    fetch(`${stack.gateway.url}/v1/users/imports`, {
      method: 'POST',
      headers: { 'content-type': NDJSON, ...(k ? { authorization: `Bearer ${k}` } : {}), ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  it('passes an upload far above BODY_LIMIT_BYTES through to the directory, with or without a Content-Length', async () => {
    const body = generateUsersNdjson(8000, { prefix: 'gw-sized', hashEvery: 4 });
    expect(body.length).toBeGreaterThan(10 * BODY_LIMIT);
    expect(body.length).toBeLessThan(IMPORT_LIMIT);
    const sized = await call<Job>('POST', '/v1/users/imports', { key, body, contentType: NDJSON });
    expect(sized.status).toBe(202);
    expect(sized.headers.get('location')).toBe(`/v1/users/imports/${sized.body.id}`);
    expect(sized.body).toEqual(expect.objectContaining({ status: 'queued', totalLines: 8000 }));

    const streamed = await post(chunked(generateUsersNdjson(3000, { prefix: 'gw-chunked' })));
    expect(streamed.status).toBe(202);
    const streamedJob = (await streamed.json()) as Job;
    expect(streamedJob.totalLines).toBe(3000);

    expect(await finished(sized.body.id)).toEqual(expect.objectContaining({ status: 'completed', created: 8000, failed: 0 }));
    expect(await finished(streamedJob.id)).toEqual(expect.objectContaining({ status: 'completed', created: 3000, failed: 0 }));

    // The export streams back through the gateway.
    const exported = await fetch(`${stack.gateway.url}/v1/users/export`, { headers: { authorization: `Bearer ${key}` } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect((await exported.text()).split('\n').filter(Boolean)).toHaveLength(11_000);
  });

  it('answers 413 over IMPORT_BODY_LIMIT_BYTES: before reading a declared length, and mid-stream for a chunked one', async () => {
    const big = generateUsersNdjson(30_000, { prefix: 'gw-big' });
    expect(big.length).toBeGreaterThan(IMPORT_LIMIT);
    const declared = await call('POST', '/v1/users/imports', { key, body: big, contentType: NDJSON });
    expectProblem(declared, 413, 'payload_too_large');
    expect((declared.body as { detail: string }).detail).toContain(String(IMPORT_LIMIT));

    const streamed = await post(chunked(big));
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { code: string }).code).toBe('payload_too_large');

    // Nothing of either reached the directory as a job.
    const jobs = await call<{ items: Job[] }>('GET', '/v1/users/imports?limit=200', { key });
    expect(jobs.body.items.every((j) => j.totalLines < 30_000)).toBe(true);
  });

  it('checks the API key before reading the upload, and keeps every other route at BODY_LIMIT_BYTES', async () => {
    const body = generateUsersNdjson(500, { prefix: 'gw-nokey' });
    const anonymous = await post(body, {}, null);
    expect(anonymous.status).toBe(401);
    const reader = await tenantWithKey(call, stack.secrets.adminKey, ['users:read']);
    expect((await post(body, {}, reader.key)).status).toBe(403);

    const json = JSON.stringify({ email: 'big@example.com', appMetadata: { blob: 'x'.repeat(BODY_LIMIT) } });
    expectProblem(await call('POST', '/v1/users', { key, body: json, contentType: 'application/json' }), 413, 'payload_too_large');
    expectProblem(await call('PUT', '/v1/users/imports', { key, body: generateUsersNdjson(1000, { prefix: 'gw-put' }), contentType: NDJSON }), 413, 'payload_too_large');
  });
});
