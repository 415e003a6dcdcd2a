import type { Logger } from '@keyline/platform-observability';
import type Redis from 'ioredis';
import { BucketPolicy, RateLimiter, decisionOf } from './rate-limiter';

describe('rate limit decisions', () => {
  it('turns the script reply into header values, rounding waits up', () => {
    expect(decisionOf([1, 400, 399, 5, 0])).toEqual({ allowed: true, limit: 400, remaining: 399, resetSeconds: 1, retryAfterSeconds: 1 });
    expect(decisionOf([0, 20, 0, 3999, 1001])).toEqual({ allowed: false, limit: 20, remaining: 0, resetSeconds: 4, retryAfterSeconds: 2 });
    expect(decisionOf([1, 10, 10, 0, 0]).resetSeconds).toBe(0);
    expect(decisionOf([0, 10, -1, 0, 0]).remaining).toBe(0);
  });
});

/** The Lua script's arithmetic in memory, with a clock the test moves; counts calls. */
class FakeBuckets {
  calls: number[] = [];
  now = 0;
  down = false;
  readonly state = new Map<string, { t: number; ts: number }>();
  defineCommand() {}
  klTokenBucket(n: number, ...args: (string | number)[]) {
    if (this.down) return Promise.reject(new Error('Connection is closed.'));
    const keys = args.slice(0, n) as string[];
    const want = Number(args[n]);
    this.calls.push(want);
    const tokens = keys.map((k, i) => {
      const rate = Number(args[n + 1 + 2 * i]);
      const burst = Number(args[n + 2 + 2 * i]);
      const s = this.state.get(k) ?? { t: burst, ts: this.now };
      return Math.min(burst, s.t + ((this.now - s.ts) * rate) / 1000);
    });
    const granted = Math.min(want, Math.floor(Math.min(...tokens)));
    const allowed = granted >= 1;
    let limit = 0;
    let remaining = -1;
    let tightest = 1;
    keys.forEach((k, i) => {
      const burst = Number(args[n + 2 + 2 * i]);
      const tk = allowed ? tokens[i] - granted : tokens[i];
      if (allowed) this.state.set(k, { t: tk, ts: this.now });
      if (remaining < 0 || Math.floor(tk) < remaining) {
        remaining = Math.floor(tk);
        limit = burst;
        tightest = i + 1;
      }
    });
    return Promise.resolve([allowed ? 1 : 0, limit, remaining, 0, allowed ? 0 : 1000, allowed ? granted : 0, tightest]);
  }
}

const logger = { warn: () => undefined } as unknown as Logger;

function limiter(opts: { ttlMs?: number } = {}) {
  const redis = new FakeBuckets();
  let unavailable = 0;
  const rl = new RateLimiter(redis as unknown as Redis, logger, () => unavailable++, { now: () => redis.now, ttlMs: opts.ttlMs ?? 250 });
  return { redis, rl, unavailable: () => unavailable };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('RateLimiter leases', () => {
  const wide: BucketPolicy[] = [{ ratePerSecond: 1, burst: 1000 }];

  it('sizes leases at min(burst / 10, 50) and checks small buckets per request', () => {
    const { rl } = limiter();
    expect(rl.leaseSize(wide)).toBe(50);
    expect(rl.leaseSize([{ ratePerSecond: 5, burst: 200 }])).toBe(20);
    expect(rl.leaseSize([{ ratePerSecond: 5, burst: 400 }, { ratePerSecond: 5, burst: 30 }])).toBe(3);
    expect(rl.leaseSize([{ ratePerSecond: 1, burst: 5 }])).toBe(1);
  });

  it('serves most requests from a lease, without asking Redis', async () => {
    const { redis, rl } = limiter();
    let allowed = 0;
    for (let i = 0; i < 200; i++) {
      const d = await rl.take(['k'], wide);
      if (d?.allowed) allowed++;
    }
    expect(allowed).toBe(200);
    // One call per 50 tokens (refilled ahead of running dry), not one per request.
    expect(redis.calls.length).toBeLessThanOrEqual(5);
    expect(redis.calls.every((w) => w === 50)).toBe(true);
  });

  it('answers synchronously from a lease and reports what is left including leased tokens', async () => {
    const { rl } = limiter();
    const first = await rl.take(['k'], wide);
    expect(first).toEqual(expect.objectContaining({ allowed: true, limit: 1000, remaining: 999 }));
    const second = rl.take(['k'], wide);
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(expect.objectContaining({ allowed: true, limit: 1000, remaining: 998 }));
  });

  it('never lets more through than the shared bucket holds, across instances', async () => {
    const redis = new FakeBuckets();
    const a = new RateLimiter(redis as unknown as Redis, logger, undefined, { now: () => redis.now });
    const b = new RateLimiter(redis as unknown as Redis, logger, undefined, { now: () => redis.now });
    const policy = [{ ratePerSecond: 1, burst: 300 }];
    const all = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).take(['shared'], policy)));
    const ok = all.filter((d) => d?.allowed).length;
    expect(ok).toBeLessThanOrEqual(300);
    // At most one lease per instance (30 tokens) is stranded.
    expect(ok).toBeGreaterThanOrEqual(300 - 2 * 30);
    const refused = all.find((d) => d && !d.allowed);
    expect(refused).toEqual(expect.objectContaining({ allowed: false, remaining: 0, retryAfterSeconds: 1 }));
  });

  it('charges every bucket of a request with the lease', async () => {
    const { redis, rl } = limiter();
    const policies = [
      { ratePerSecond: 1, burst: 400 },
      { ratePerSecond: 1, burst: 4000 },
    ];
    await rl.take(['key', 'ip'], policies);
    expect(redis.calls).toEqual([40]);
    expect(redis.state.get('key')?.t).toBe(360);
    expect(redis.state.get('ip')?.t).toBe(3960);
  });

  it('drops unspent leased tokens after the lease TTL', async () => {
    const { redis, rl } = limiter({ ttlMs: 250 });
    await rl.take(['k'], wide);
    redis.now += 300;
    await rl.take(['k'], wide);
    await flush();
    expect(redis.calls.length).toBe(2);
  });

  it('fails open when Redis is down, counting each failed call', async () => {
    const { redis, rl, unavailable } = limiter();
    redis.down = true;
    expect(await rl.take(['k'], wide)).toBeUndefined();
    expect(await rl.take(['k'], [{ ratePerSecond: 1, burst: 5 }])).toBeUndefined();
    expect(unavailable()).toBe(2);
    redis.down = false;
    expect((await rl.take(['k'], wide))?.allowed).toBe(true);
  });
});
