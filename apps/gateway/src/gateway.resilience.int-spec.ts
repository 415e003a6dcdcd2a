import { ServiceProcess, freePort, testRedisDb, waitFor } from '@keyline/platform-testing';
import { Call, Directory, Secrets, client, newSecrets, startDirectory, startGateway, startStub, tenantWithKey } from './testing/gateway.harness';

type Problem = { status: number; code: string };

function expectUpstreamProblem(res: { status: number; headers: Headers; body: unknown }, statuses: number[]) {
  expect(statuses).toContain(res.status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(['bad_gateway', 'service_unavailable', 'gateway_timeout']).toContain((res.body as Problem).code);
  expect(JSON.stringify(res.body)).not.toMatch(/ECONN|\bat .+\.(js|ts):\d+|127\.0\.0\.1/);
}

describe('gateway resilience', () => {
  let secrets: Secrets;
  let directory: Directory;
  let sessions: ServiceProcess;
  let gateway: ServiceProcess;
  let call: Call;
  let key: string;

  beforeAll(async () => {
    secrets = newSecrets(testRedisDb());
    [directory, sessions] = await Promise.all([startDirectory(secrets, 'resilience'), startStub(secrets)]);
    gateway = await startGateway(
      secrets,
      { DIRECTORY_URL: directory.process.url, SESSIONS_URL: sessions.url },
      { UPSTREAM_TIMEOUT_MS: '1500', RATE_LIMIT_KEY_PER_SECOND: '1000', RATE_LIMIT_KEY_BURST: '1000' },
    );
    call = client(gateway.url);
    key = (await tenantWithKey(call, secrets.adminKey)).key;
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), sessions?.stop(), directory?.stop()]);
  });

  it('answers 504 when an upstream is slower than UPSTREAM_TIMEOUT_MS', async () => {
    const res = await call('GET', '/v1/sessions/_slow?ms=4000', { key });
    expectUpstreamProblem(res, [504]);
    expect((res.body as Problem).code).toBe('gateway_timeout');
    expect(res.ms).toBeGreaterThanOrEqual(1400);
    expect(res.ms).toBeLessThan(3000);
    // A slow answer is not an outage: the upstream is not marked down.
    expect((await call('GET', '/v1/sessions/_slow?ms=1', { key })).status).toBe(200);
  });

  it('fails fast with 502/503 when the upstream dies mid-request, and recovers when it is back', async () => {
    expect((await call('GET', '/v1/sessions/_slow?ms=1', { key })).status).toBe(200);
    const port = sessions.port;
    const inflight = call('GET', '/v1/sessions/_slow?ms=1200', { key });
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    await sessions.kill();
    const crashed = await inflight;
    expectUpstreamProblem(crashed, [502, 503]);
    expect(Date.now() - killedAt).toBeLessThan(1000);

    // While it is down every request fails at once, never hangs; after a few it is marked down (503).
    const down: Awaited<ReturnType<Call>>[] = [];
    for (let i = 0; i < 6; i++) down.push(await call('GET', '/v1/sessions/_slow?ms=1', { key }));
    for (const r of down) {
      expectUpstreamProblem(r, [502, 503]);
      expect(r.ms).toBeLessThan(500);
    }
    const open = down.find((r) => r.status === 503);
    expect(open?.headers.get('retry-after')).toMatch(/^\d+$/);
    // Other upstreams are unaffected.
    expect((await call('GET', '/v1/whoami', { key })).status).toBe(200);

    sessions = await startStub(secrets, { port });
    const t0 = Date.now();
    await waitFor(async () => (await call('GET', '/v1/sessions/_slow?ms=1', { key })).status === 200, 5000, 100, 'recovery');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  describe('with Redis unreachable', () => {
    let stub: ServiceProcess;
    let lonely: ServiceProcess;
    let lonelyCall: Call;

    beforeAll(async () => {
      stub = await startStub(secrets);
      const deadRedis = `redis://127.0.0.1:${await freePort()}`;
      lonely = await startGatewayWithoutRedis(deadRedis, stub.url);
      lonelyCall = client(lonely.url);
    });

    afterAll(async () => {
      await Promise.all([lonely?.stop(), stub?.stop()]);
    });

    function startGatewayWithoutRedis(redisUrl: string, directoryUrl: string) {
      return startGateway({ ...secrets, redisUrl }, { DIRECTORY_URL: directoryUrl, SESSIONS_URL: directoryUrl });
    }

    it('reports not ready, naming Redis', async () => {
      const ready = await fetch(`${lonely.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toContain('redis');
    });

    it('still authenticates through the directory and lets traffic through without rate limits', async () => {
      const t = await tenantWithKey(lonelyCall, secrets.adminKey);
      const who = await lonelyCall('GET', '/v1/whoami', { key: t.key });
      expect(who.status).toBe(200);
      expect(who.headers.get('ratelimit-limit')).toBeNull();
      expect((await lonelyCall('GET', '/v1/whoami', { key: `kl_${'z'.repeat(43)}` })).status).toBe(401);
    });

    it('refuses uncached keys with 503 when the directory cannot vouch for them either', async () => {
      const t = await tenantWithKey(lonelyCall, secrets.adminKey);
      await stub.kill();
      const res = await lonelyCall('GET', '/v1/whoami', { key: t.key });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual(expect.objectContaining({ code: 'service_unavailable' }));
    });
  });
});
