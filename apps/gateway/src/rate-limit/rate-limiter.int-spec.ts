import { randomBytes } from 'node:crypto';
import type { Logger } from '@keyline/platform-observability';
import { freePort, testRedisDb } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { RateLimiter } from './rate-limiter';

function fakeLogger() {
  const warnings: unknown[] = [];
  return { warnings, logger: { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger };
}

describe('RateLimiter on real Redis', () => {
  let redis: Redis;
  let limiter: RateLimiter;
  const ns = `kl:rl:test:${randomBytes(4).toString('hex')}`;
  const k = (name: string) => `${ns}:${name}`;

  beforeAll(() => {
    redis = new Redis(testRedisDb());
    limiter = new RateLimiter(redis, fakeLogger().logger);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('lets a burst through, then refuses with the time until a token is back', async () => {
    const policy = [{ ratePerSecond: 1, burst: 5 }];
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await limiter.take([k('burst')], policy));
    expect(decisions.slice(0, 5).every((d) => d?.allowed)).toBe(true);
    expect(decisions.map((d) => d?.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions[5]).toEqual(expect.objectContaining({ allowed: false, limit: 5, remaining: 0, retryAfterSeconds: 1 }));
    expect(decisions[5]?.resetSeconds).toBeGreaterThanOrEqual(4);
    const ttl = await redis.pttl(k('burst'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(6000);
  });

  it('refills at the configured rate', async () => {
    const policy = [{ ratePerSecond: 20, burst: 1 }];
    expect((await limiter.take([k('refill')], policy))?.allowed).toBe(true);
    expect((await limiter.take([k('refill')], policy))?.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    expect((await limiter.take([k('refill')], policy))?.allowed).toBe(true);
  });

  it('charges every bucket of a request or none, and reports the tightest', async () => {
    const policies = [
      { ratePerSecond: 1, burst: 10 },
      { ratePerSecond: 1, burst: 2 },
    ];
    const keys = [k('wide'), k('narrow')];
    expect(await limiter.take(keys, policies)).toEqual(expect.objectContaining({ allowed: true, limit: 2, remaining: 1 }));
    expect(await limiter.take(keys, policies)).toEqual(expect.objectContaining({ allowed: true, limit: 2, remaining: 0 }));
    expect(await limiter.take(keys, policies)).toEqual(expect.objectContaining({ allowed: false, limit: 2 }));
    // The refused request did not cost the wide bucket anything.
    const wide = Number(await redis.hget(k('wide'), 't'));
    expect(wide).toBeGreaterThanOrEqual(8);
    expect(wide).toBeLessThan(8.5);
  });

  it('leases tokens in batches and still refuses a burst beyond the shared bucket, across instances', async () => {
    const policy = [{ ratePerSecond: 1, burst: 200 }];
    const other = new RateLimiter(redis, fakeLogger().logger);
    expect(limiter.leaseSize(policy)).toBe(20);
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? limiter : other).take([k('leased')], policy)));
    const ok = decisions.filter((d) => d?.allowed);
    const refused = decisions.filter((d) => d && !d.allowed);
    // Tokens are charged in Redis before they are spent: never more than the burst (plus a refill of
    // 1/s while the test runs); at most one lease per instance is held back.
    expect(ok.length).toBeLessThanOrEqual(201);
    expect(ok.length).toBeGreaterThanOrEqual(200 - 2 * 20);
    expect(refused.length).toBe(300 - ok.length);
    expect(refused[0]).toEqual(expect.objectContaining({ allowed: false, limit: 200, remaining: 0, retryAfterSeconds: 1 }));
    // Far fewer round trips than requests: what Redis holds was taken in leases of up to 20.
    expect(Number(await redis.hget(k('leased'), 't'))).toBeLessThan(20);
  });

  it('keeps leased buckets atomic across keys: a refused lease charges nothing', async () => {
    const policies = [
      { ratePerSecond: 1, burst: 1000 },
      { ratePerSecond: 1, burst: 40 },
    ];
    const keys = [k('lease-wide'), k('lease-narrow')];
    const decisions = [];
    for (let i = 0; i < 45; i++) decisions.push(await limiter.take(keys, policies));
    expect(decisions.filter((d) => d?.allowed).length).toBeGreaterThanOrEqual(40);
    expect(decisions.filter((d) => d?.allowed).length).toBeLessThanOrEqual(41);
    expect(decisions[44]).toEqual(expect.objectContaining({ allowed: false, limit: 40 }));
    const wide = Number(await redis.hget(k('lease-wide'), 't'));
    expect(wide).toBeGreaterThanOrEqual(959);
    expect(wide).toBeLessThan(961);
  });

  it('fails open, warning once, when Redis is unreachable', async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    dead.on('error', () => undefined);
    const { logger, warnings } = fakeLogger();
    let unavailable = 0;
    const failing = new RateLimiter(dead, logger, () => unavailable++);
    try {
      expect(await failing.take([k('x')], [{ ratePerSecond: 1, burst: 1 }])).toBeUndefined();
      expect(await failing.take([k('x')], [{ ratePerSecond: 1, burst: 1 }])).toBeUndefined();
      expect(unavailable).toBe(2);
      expect(warnings).toHaveLength(1);
    } finally {
      dead.disconnect();
    }
  });
});
