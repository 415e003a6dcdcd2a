import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { tenantCorsKey } from '@keyline/directory-contracts';
import { ServiceProcess } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { Call, Secrets, Stack, startStack, tenantWithKey, uniqueSlug } from './testing/gateway.harness';

type Echo = { headers: Record<string, string>; bodyLength: number; bodySha256?: string };

const CONSOLE = 'https://console.example.com';

/** Bytes i % 251, as the stand-in's /_bytes route sends them. */
function pattern(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

describe('gateway traffic handling', () => {
  let stack: Stack;
  let secrets: Secrets;
  let redis: Redis;
  let gateway: ServiceProcess;
  let call: Call;
  let tenant: Stack['tenant'];

  beforeAll(async () => {
    stack = await startStack('traffic', {
      RATE_LIMIT_KEY_PER_SECOND: '5',
      RATE_LIMIT_KEY_BURST: '20',
      RATE_LIMIT_IP_PER_SECOND: '5',
      RATE_LIMIT_IP_BURST: '40',
      CORS_ORIGINS: `${CONSOLE}, https://other.example.com`,
      PUBLIC_URL: 'http://gateway.test:8080',
    });
    ({ secrets, redis, gateway, call, tenant } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 with Retry-After and RateLimit headers once a key exhausts its burst', async () => {
    const k = await tenantWithKey(call, secrets.adminKey);
    const results = await Promise.all(Array.from({ length: 40 }, () => call('GET', '/v1/whoami', { key: k.key })));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    // Burst 20 plus at most a few tokens refilled (5/s) while the requests were in flight.
    expect(ok.length).toBeGreaterThanOrEqual(20);
    expect(ok.length).toBeLessThanOrEqual(24);
    expect(limited.length).toBe(40 - ok.length);
    const r = limited[0];
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toEqual(expect.objectContaining({ status: 429, code: 'rate_limited' }));
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(r.headers.get('ratelimit-limit')).toBe('20');
    expect(r.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(ok[0].headers.get('ratelimit-remaining'))).toBeLessThan(20);
    // Another key is not affected by this one's bucket.
    expect((await call('GET', '/v1/whoami', { key: tenant.key })).status).toBe(200);
    // Tokens come back: after the advertised wait the key passes again.
    await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after')) * 1000));
    expect((await call('GET', '/v1/whoami', { key: k.key })).status).toBe(200);
  });

  it('refuses a 10 MB body with 413 problem+json, before it reaches the service', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const res = await call('POST', '/v1/sessions/_echo', { key: tenant.key, body: big, contentType: 'application/json' });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(expect.objectContaining({ status: 413, code: 'payload_too_large' }));

    // Chunked, without a Content-Length: cut off while streaming.
    const chunk = Buffer.alloc(256 * 1024, 'b');
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(`${gateway.url}/v1/sessions/_echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/octet-stream' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { code: string }).code).toBe('payload_too_large');
  });

  it('streams bodies through unchanged, byte for byte', async () => {
    const body = pattern(900 * 1024);
    const res = await call<Echo>('PUT', '/v1/sessions/_echo', { key: tenant.key, body, contentType: 'application/octet-stream' });
    expect(res.status).toBe(200);
    expect(res.body.bodyLength).toBe(body.length);
    expect(res.body.bodySha256).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('returns large and unsized responses intact, and answers HEAD without a body', async () => {
    const expected = (n: number) => createHash('sha256').update(pattern(n)).digest('hex');
    for (const [n, chunked] of [
      [5 * 1024 * 1024, false],
      [3 * 1024 * 1024 + 17, true],
      [1000, true],
      [0, false],
    ] as const) {
      const res = await fetch(`${gateway.url}/v1/sessions/_bytes?n=${n}${chunked ? '&chunked=1' : ''}`, { headers: { authorization: `Bearer ${tenant.key}` } });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(n);
      expect(createHash('sha256').update(body).digest('hex')).toBe(expected(n));
      if (!chunked) expect(res.headers.get('content-length')).toBe(String(n));
    }
    const head = await fetch(`${gateway.url}/v1/sessions/_bytes?n=4096`, { method: 'HEAD', headers: { authorization: `Bearer ${tenant.key}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('4096');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('sets security headers and a request id on proxied, gateway and platform responses', async () => {
    const responses = await Promise.all([
      call('GET', '/v1/whoami', { key: tenant.key }),
      call('GET', '/v1/whoami'),
      call('GET', '/v1/no-such-thing', { key: tenant.key }),
      call('GET', '/health/live'),
    ]);
    for (const r of responses) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(r.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
      // PUBLIC_URL is plain http here: no HSTS.
      expect(r.headers.get('strict-transport-security')).toBeNull();
    }
    expect(responses[2].status).toBe(404);
    expect(responses[2].body).toEqual(expect.objectContaining({ code: 'not_found' }));
    const supplied = await call('GET', '/v1/whoami', { key: tenant.key, headers: { 'x-request-id': 'trace-from-client-1' } });
    expect(supplied.headers.get('x-request-id')).toBe('trace-from-client-1');
  });

  it('refuses paths with dot segments instead of routing them', async () => {
    // fetch would normalise these away; a raw client sends them as they are.
    for (const path of ['/t/acme/../../v1/tenants', '/v1/users/%2e%2e/tenants', '/v1/users/./x']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: gateway.port, path, headers: { authorization: `Bearer ${tenant.key}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(400);
    }
  });

  it('answers CORS for /v1 from CORS_ORIGINS, preflights included, without needing a key', async () => {
    const preflight = await fetch(`${gateway.url}/v1/users`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const denied = await fetch(`${gateway.url}/v1/users`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(denied.status).toBe(204);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();

    const ok = await call('GET', '/v1/whoami', { key: tenant.key, headers: { origin: CONSOLE } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(ok.headers.get('vary')).toMatch(/origin/i);
    // Errors are readable by the allowed page too.
    const unauthorized = await call('GET', '/v1/whoami', { headers: { origin: CONSOLE } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    const evil = await call('GET', '/v1/whoami', { key: tenant.key, headers: { origin: 'https://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("answers CORS for /t/{slug} from the tenant's own origins in Redis", async () => {
    const slug = uniqueSlug('cors');
    await redis.set(tenantCorsKey(slug), JSON.stringify(['https://app.acme.test', 'not an origin']));
    const preflight = (origin: string, s = slug) =>
      fetch(`${gateway.url}/t/${s}/oauth/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://app.acme.test')).headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
    expect((await preflight(CONSOLE)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('https://app.acme.test', uniqueSlug('other'))).headers.get('access-control-allow-origin')).toBeNull();
    const echo = await call<Echo>('GET', `/t/${slug}/_echo`, { headers: { origin: 'https://app.acme.test' } });
    expect(echo.status).toBe(200);
    expect(echo.headers.get('access-control-allow-origin')).toBe('https://app.acme.test');
  });

  it('limits anonymous traffic per client address', async () => {
    const results = await Promise.all(Array.from({ length: 60 }, () => call('GET', `/t/${tenant.slug}/_echo`)));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(60 - 40 - 5);
    expect(limited[0].body).toEqual(expect.objectContaining({ code: 'rate_limited' }));
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Keys have their own buckets: the exhausted address still reaches the API with one.
    expect((await call('GET', '/v1/whoami', { key: tenant.key })).status).toBe(200);
  });

  it('serves one merged OpenAPI 3.1 document and Swagger UI', async () => {
    const doc = await call<{
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    }>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1\./);
    expect(doc.body.servers).toEqual([{ url: 'http://gateway.test:8080' }]);
    expect(doc.body.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/whoami', '/v1/tenants', '/v1/sessions/_echo']));
    expect(paths.some((p) => p.startsWith('/internal') || p.startsWith('/health') || p === '/metrics')).toBe(false);
    expect(doc.body.paths['/v1/whoami'].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.body.paths['/v1/whoami'].get.responses['401']).toBeDefined();
    expect(doc.body.paths['/t/{slug}/_echo'].get.security).toEqual([]);

    const page = await fetch(`${gateway.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<html/i);
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    const bundle = await fetch(`${gateway.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${gateway.url}/docs/package.json`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/docs/init.js`)).status).toBe(200);
  });
});
