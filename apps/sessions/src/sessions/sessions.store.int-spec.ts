import { randomUUID } from 'node:crypto';
import { sessionIdOf } from '@keyline/sessions-contracts';
import { testRedisDb } from '@keyline/platform-testing';
import Redis from 'ioredis';
import { Clock } from '../core/clock';
import { newSessionToken } from './session-token';
import { NewSession, SessionsStore, TOUCH_WRITE_INTERVAL_MS, sessionKey, userIndexKey } from './sessions.store';

/** Real time shifted by `offset`: Redis expiries stay real while a test jumps ahead. */
class ShiftedClock extends Clock {
  offset = 0;
  override now(): number {
    return Date.now() + this.offset;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIN = 60_000;

describe('SessionsStore (real Redis)', () => {
  const url = testRedisDb();
  let redis: Redis;
  let other: Redis;
  let clock: ShiftedClock;
  let store: SessionsStore;

  const connect = async () => {
    const r = new Redis(url, { lazyConnect: true });
    await r.connect();
    return r;
  };

  beforeAll(async () => {
    redis = await connect();
    other = await connect();
  });

  beforeEach(() => {
    clock = new ShiftedClock();
    store = new SessionsStore(redis, clock);
  });

  afterAll(() => {
    redis?.disconnect();
    other?.disconnect();
  });

  // Each test uses fresh tenants and users: the database may be shared with other test files.
  const user = () => ({ tenantId: randomUUID(), userId: randomUUID() });
  const session = (over: Partial<NewSession> = {}): NewSession => ({
    ...user(),
    amr: ['pwd'],
    acr: 'urn:keyline:acr:password',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    idleTtlMs: 30 * MIN,
    absoluteTtlMs: 24 * 60 * MIN,
    ...over,
  });
  const create = async (over: Partial<NewSession> = {}) => {
    const token = newSessionToken();
    const id = sessionIdOf(token);
    return { token, id, record: await store.create(id, session(over)) };
  };
  const indexOf = (r: { tenantId: string; userId: string }) => redis.zrange(userIndexKey(r.tenantId, r.userId), 0, -1);

  it('stores a session under the hash of its token, with compact fields, its TTL and a user index entry', async () => {
    const { token, id, record } = await create({ amr: ['pwd', 'otp'], acr: 'urn:keyline:acr:mfa', clientId: 'web' });
    const hash = await redis.hgetall(sessionKey(id));
    expect(hash).toEqual({
      t: record.tenantId,
      u: record.userId,
      c: String(record.createdAt),
      l: String(record.createdAt),
      ia: String(record.createdAt + 30 * MIN),
      aa: String(record.createdAt + 24 * 60 * MIN),
      idle: String(30 * MIN),
      amr: 'pwd,otp',
      acr: 'urn:keyline:acr:mfa',
      ip: '203.0.113.7',
      ua: record.userAgent,
      lip: '203.0.113.7',
      lua: record.userAgent,
      ap: 'web',
    });
    expect(JSON.stringify(hash)).not.toContain(token);
    expect(await redis.call('PEXPIRETIME', sessionKey(id))).toBe(record.idleExpiresAt);
    expect(await redis.zrange(userIndexKey(record.tenantId, record.userId), 0, -1, 'WITHSCORES')).toEqual([id, String(record.expiresAt)]);
    expect(await redis.call('PEXPIRETIME', userIndexKey(record.tenantId, record.userId))).toBe(record.expiresAt);
    expect(await store.find(id)).toEqual(record);
  });

  it('slides the idle expiry on touch and lets an unused session expire', async () => {
    const { id, record } = await create({ idleTtlMs: 1500, absoluteTtlMs: 60_000 });
    await sleep(1000);
    const touched = await store.touch(id, { ip: '198.51.100.2', userAgent: 'curl/8' });
    expect(touched).toEqual(expect.objectContaining({ ip: '203.0.113.7', lastIp: '198.51.100.2', lastUserAgent: 'curl/8', userAgent: record.userAgent }));
    expect(touched!.lastSeenAt).toBeGreaterThanOrEqual(record.createdAt + 1000);
    expect(touched!.idleExpiresAt).toBe(touched!.lastSeenAt + 1500);
    expect(await redis.call('PEXPIRETIME', sessionKey(id))).toBe(touched!.idleExpiresAt);

    await sleep(1000);
    // 2 s after creation: alive only because of the touch.
    expect(await store.touch(id)).not.toBeNull();
    await sleep(1700);
    expect(await redis.exists(sessionKey(id))).toBe(0);
    expect(await store.touch(id)).toBeNull();
    expect(await redis.exists(sessionKey(id))).toBe(0);
  });

  it('never extends a session past its absolute expiry, however often it is touched', async () => {
    const { id, record } = await create({ idleTtlMs: 1500, absoluteTtlMs: 2500 });
    let last = record;
    for (let i = 0; i < 4; i++) {
      await sleep(500);
      last = (await store.touch(id))!;
      expect(last).not.toBeNull();
    }
    expect(last.idleExpiresAt).toBe(record.expiresAt);
    expect(last.expiresAt).toBe(record.expiresAt);
    expect(await redis.call('PEXPIRETIME', sessionKey(id))).toBe(record.expiresAt);
    await sleep(record.expiresAt - Date.now() + 100);
    expect(await store.touch(id)).toBeNull();
    expect(await redis.exists(sessionKey(id))).toBe(0);
  });

  it('treats a session past its expiry by the clock as gone even before Redis reaps it', async () => {
    const { id } = await create({ idleTtlMs: MIN, absoluteTtlMs: 10 * MIN });
    clock.offset = MIN + 1;
    expect(await store.touch(id)).toBeNull();
    expect(await store.elevate(id, ['otp'], 'urn:keyline:acr:mfa')).toBeNull();
    expect(await store.find(id)).toBeNull();
    clock.offset = 0;
    expect(await store.find(id)).not.toBeNull();
  });

  it(`writes a touch at most every ${TOUCH_WRITE_INTERVAL_MS} ms unless the IP, user agent or client changed`, async () => {
    const { id, record } = await create();
    clock.offset = 1000;
    const quiet = (await store.touch(id, { ip: '203.0.113.7' }))!;
    expect(quiet.lastSeenAt).toBe(record.createdAt);
    expect(quiet.idleExpiresAt).toBe(record.idleExpiresAt);

    const moved = (await store.touch(id, { ip: '198.51.100.9' }))!;
    expect(moved.lastIp).toBe('198.51.100.9');
    expect(moved.lastSeenAt).toBeGreaterThanOrEqual(record.createdAt + 1000);

    const joined = (await store.touch(id, { clientId: 'mobile' }))!;
    expect(joined.clients).toEqual(['mobile']);
    expect((await store.touch(id, { clientId: 'mobile' }))!.clients).toEqual(['mobile']);
    expect((await store.touch(id, { clientId: 'web' }))!.clients).toEqual(['mobile', 'web']);

    clock.offset = 1000 + TOUCH_WRITE_INTERVAL_MS + 10;
    const later = (await store.touch(id))!;
    expect(later.lastSeenAt).toBeGreaterThanOrEqual(record.createdAt + 1000 + TOUCH_WRITE_INTERVAL_MS);
    expect(later.idleExpiresAt).toBe(later.lastSeenAt + 30 * MIN);
    expect(await redis.hget(sessionKey(id), 'ia')).toBe(String(later.idleExpiresAt));
  });

  it('never resurrects a revoked session: 200 concurrent touches racing a revocation leave nothing behind', async () => {
    const { id, record } = await create();
    // Touches on one connection, the revocation on another, so Redis interleaves them freely.
    const rival = new SessionsStore(other, clock);
    const touches: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      // A new IP every time forces a write on every touch that still finds the session.
      touches.push(store.touch(id, { ip: `10.0.${i >> 8}.${i & 255}` }));
      if (i === 100) touches.push(rival.revoke(id));
    }
    const results = await Promise.all(touches);
    expect(results).toContain(true);
    expect(await redis.exists(sessionKey(id))).toBe(0);
    expect(await redis.hlen(sessionKey(id))).toBe(0);
    expect(await indexOf(record)).toEqual([]);
    expect(await store.touch(id, { ip: '10.9.9.9' })).toBeNull();
    expect(await redis.exists(sessionKey(id))).toBe(0);
  });

  it('elevates a live session by merging amr and replacing acr, and never recreates a revoked one', async () => {
    const { id, record } = await create({ amr: ['pwd'] });
    const elevated = (await store.elevate(id, ['otp', 'pwd', 'hwk'], 'urn:keyline:acr:mfa'))!;
    expect(elevated).toEqual({ ...record, amr: ['pwd', 'otp', 'hwk'], acr: 'urn:keyline:acr:mfa' });
    expect(await redis.call('PEXPIRETIME', sessionKey(id))).toBe(record.idleExpiresAt);

    await store.revoke(id);
    expect(await store.elevate(id, ['otp'], 'urn:keyline:acr:mfa')).toBeNull();
    expect(await redis.exists(sessionKey(id))).toBe(0);
  });

  it('revokes every session of a user but the one to keep, leaving other users alone', async () => {
    const owner = user();
    const [a, keep, c] = [await create(owner), await create(owner), await create(owner)];
    const neighbour = await create({ tenantId: owner.tenantId });

    expect(await store.revokeUser(owner.tenantId, owner.userId, keep.id)).toBe(2);
    expect(await store.touch(a.id)).toBeNull();
    expect(await store.touch(c.id)).toBeNull();
    expect(await store.touch(keep.id)).not.toBeNull();
    expect(await store.touch(neighbour.id)).not.toBeNull();
    expect(await indexOf(owner)).toEqual([keep.id]);

    expect(await store.revokeUser(owner.tenantId, owner.userId)).toBe(1);
    expect(await store.revokeUser(owner.tenantId, owner.userId)).toBe(0);
    expect(await redis.exists(userIndexKey(owner.tenantId, owner.userId))).toBe(0);
    expect(await store.touch(neighbour.id)).not.toBeNull();
  });

  it('lists a user’s live sessions newest first and prunes the index of expired and vanished ones', async () => {
    const owner = user();
    const short = await create({ ...owner, idleTtlMs: 1000, absoluteTtlMs: 1000 });
    const older = await create(owner);
    clock.offset = 10;
    const newer = await create(owner);
    const vanished = await create(owner);
    await redis.del(sessionKey(vanished.id));
    expect(await indexOf(owner)).toHaveLength(4);

    await sleep(1100);
    const listed = await store.listByUser(owner.tenantId, owner.userId);
    expect(listed.map((s) => s.id)).toEqual([newer.id, older.id]);
    expect(listed[0]).toEqual(newer.record);
    expect((await indexOf(owner)).sort()).toEqual([older.id, newer.id].sort());
    expect(await indexOf(owner)).not.toContain(short.id);
    expect(await store.listByUser(randomUUID(), owner.userId)).toEqual([]);
  });

  it('keeps the index alive as long as its longest session', async () => {
    const owner = user();
    const long = await create({ ...owner, absoluteTtlMs: 48 * 60 * MIN });
    await create({ ...owner, absoluteTtlMs: 60 * MIN });
    expect(await redis.call('PEXPIRETIME', userIndexKey(owner.tenantId, owner.userId))).toBe(long.record.expiresAt);
  });

  it('revokes by id only within the session’s own tenant', async () => {
    const { id, record } = await create();
    expect(await store.revoke(id, randomUUID())).toBe(false);
    expect(await store.touch(id)).not.toBeNull();
    expect(await indexOf(record)).toEqual([id]);

    expect(await store.revoke(id, record.tenantId)).toBe(true);
    expect(await store.touch(id)).toBeNull();
    expect(await indexOf(record)).toEqual([]);
    expect(await store.revoke(id, record.tenantId)).toBe(false);
  });
});
