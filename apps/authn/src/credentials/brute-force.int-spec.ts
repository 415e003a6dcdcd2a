import { randomUUID } from 'node:crypto';
import { testRedisDb } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { Clock } from '../core/clock';
import { DEFAULT_AUTHN_SETTINGS, withDefaults } from '../tenants/authn-settings';
import { BruteForceGuard } from './brute-force';

class FixedClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  override nowMs(): number {
    return this.ms;
  }
}

describe('BruteForceGuard (real Redis)', () => {
  let redis: Redis;
  let clock: FixedClock;
  let guard: BruteForceGuard;
  const settings = withDefaults({ bruteForce: { ...DEFAULT_AUTHN_SETTINGS.bruteForce, maxFailures: 5, lockoutMinutes: 10, maxFailuresPerIp: 20 } });

  beforeAll(() => {
    redis = new Redis(testRedisDb());
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    clock = new FixedClock(Date.now());
    guard = new BruteForceGuard(redis, clock);
  });

  it('lets two failures pass, then delays progressively and locks out at the limit', async () => {
    const tenant = randomUUID();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await guard.fail(tenant, 'ann@example.com', '10.0.0.1', settings));
    expect(outcomes.map((o) => (o.blockedUntil ? o.blockedUntil - clock.ms : 0))).toEqual([0, 0, 1000, 2000, 10 * 60_000]);
    expect(outcomes.map((o) => o.lockedOut)).toEqual([false, false, false, false, true]);
    expect(await guard.waitMs(tenant, 'ANN@example.com', '10.0.0.2', settings)).toBe(10 * 60_000);
    clock.ms += 10 * 60_000 + 1;
    expect(await guard.waitMs(tenant, 'ann@example.com', '10.0.0.2', settings)).toBe(0);
  });

  it('treats an identifier the same whether or not an account has it, and keeps tenants apart', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    for (let i = 0; i < 5; i++) await guard.fail(a, 'nobody@example.com', null, settings);
    expect(await guard.waitMs(a, 'nobody@example.com', null, settings)).toBeGreaterThan(0);
    expect(await guard.waitMs(b, 'nobody@example.com', null, settings)).toBe(0);
  });

  it('throttles an IP that sprays many identifiers', async () => {
    const tenant = randomUUID();
    for (let i = 0; i < 20; i++) await guard.fail(tenant, `user${i}@example.com`, '10.9.9.9', settings);
    expect(await guard.waitMs(tenant, 'fresh@example.com', '10.9.9.9', settings)).toBeGreaterThan(0);
    expect(await guard.waitMs(tenant, 'fresh@example.com', '10.9.9.10', settings)).toBe(0);
  });

  it('forgets failures on success and on clear (admin unlock, password reset)', async () => {
    const tenant = randomUUID();
    for (let i = 0; i < 5; i++) await guard.fail(tenant, 'bob', null, settings);
    expect((await guard.status(tenant, 'bob')).lockedUntil).not.toBeNull();
    expect(await guard.clear(tenant, ['bob'])).toBe(1);
    expect(await guard.status(tenant, 'bob')).toEqual({ failures: 0, lockedUntil: null });
    await guard.fail(tenant, 'bob', null, settings);
    await guard.succeed(tenant, 'bob');
    expect((await guard.status(tenant, 'bob')).failures).toBe(0);
  });

  it('never stores the identifier itself in a key', async () => {
    const tenant = randomUUID();
    await guard.fail(tenant, 'secret.person@example.com', '10.1.1.1', settings);
    const keys = await redis.keys(`authn:bf:*${tenant}*`);
    expect(keys.length).toBe(2);
    expect(keys.join(' ')).not.toContain('secret.person');
  });
});
