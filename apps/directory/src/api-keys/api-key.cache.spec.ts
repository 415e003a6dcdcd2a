import { API_KEY_REVOKED_CHANNEL, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import type { Logger } from '@keyline/platform-observability';
import type Redis from 'ioredis';
import { API_KEY_RECORD_TTL_SECONDS, RedisApiKeyCache, UNKNOWN_KEY_TTL_SECONDS } from './api-key.cache';

/** Records the commands it is given; `down` makes every command fail like an unreachable Redis. */
function fakeRedis(down = false) {
  const calls: unknown[][] = [];
  const command =
    (name: string, result: unknown = 'OK') =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      if (down) throw new Error('Connection is closed.');
      return result;
    };
  const redis = { set: command('set'), publish: command('publish', 1), mget: command('mget', ['1767323045000', null, 'garbage']) };
  return { calls, redis: redis as unknown as Redis };
}

function fakeLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { warn: (_: unknown, msg: string) => warnings.push(msg) } as unknown as Logger };
}

describe('RedisApiKeyCache', () => {
  const hash = 'a'.repeat(64);

  it('writes records with a day of TTL and unknown hashes with a short one', async () => {
    const { calls, redis } = fakeRedis();
    const cache = new RedisApiKeyCache(redis, fakeLogger().logger);
    await cache.put(hash, { kind: 'platform', keyId: 'k', scopes: ['admin'] });
    await cache.put(hash, { kind: 'unknown' }, { onlyIfAbsent: true });
    expect(calls).toEqual([
      ['set', apiKeyCacheKey(hash), '{"kind":"platform","keyId":"k","scopes":["admin"]}', 'EX', API_KEY_RECORD_TTL_SECONDS],
      ['set', apiKeyCacheKey(hash), '{"kind":"unknown"}', 'EX', UNKNOWN_KEY_TTL_SECONDS, 'NX'],
    ]);
  });

  it('writes the revoked record before publishing the eviction', async () => {
    const { calls, redis } = fakeRedis();
    await new RedisApiKeyCache(redis, fakeLogger().logger).revoke(hash, 'k');
    expect(calls).toEqual([
      ['set', apiKeyCacheKey(hash), '{"kind":"revoked","keyId":"k","revoked":true}', 'EX', API_KEY_RECORD_TTL_SECONDS],
      ['publish', API_KEY_REVOKED_CHANNEL, hash],
    ]);
  });

  it('reads last use and ignores values that are not timestamps', async () => {
    const { calls, redis } = fakeRedis();
    const used = await new RedisApiKeyCache(redis, fakeLogger().logger).lastUsed(['a', 'b', 'c']);
    expect(calls).toEqual([['mget', [apiKeyLastUsedKey('a'), apiKeyLastUsedKey('b'), apiKeyLastUsedKey('c')]]]);
    expect([...used]).toEqual([['a', new Date(1767323045000)]]);
  });

  it('never fails the caller when Redis is down: it warns and moves on', async () => {
    const { redis } = fakeRedis(true);
    const { logger, warnings } = fakeLogger();
    const cache = new RedisApiKeyCache(redis, logger);
    await expect(cache.put(hash, { kind: 'unknown' })).resolves.toBeUndefined();
    await expect(cache.revoke(hash, 'k')).resolves.toBeUndefined();
    await expect(cache.lastUsed(['a'])).resolves.toEqual(new Map());
    expect(warnings).toHaveLength(3);
  });
});
