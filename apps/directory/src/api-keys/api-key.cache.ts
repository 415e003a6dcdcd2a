import { Inject, Injectable } from '@nestjs/common';
import { API_KEY_REVOKED_CHANNEL, ApiKeyRecord, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import { LOGGER } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { REDIS } from '@keyline/platform-persistence';
import Redis from 'ioredis';

/** How long the gateway may rely on a cached record before it asks the directory again. */
export const API_KEY_RECORD_TTL_SECONDS = 24 * 3600;
/** Unknown hashes are remembered briefly: enough to absorb a burst of bad keys, short enough for new keys. */
export const UNKNOWN_KEY_TTL_SECONDS = 10;

/**
 * The key records the gateway authenticates with, in Redis. Writes happen after the database commit
 * and never fail the request: when Redis is unavailable the gateway misses the cache and calls the
 * resolve endpoint, which answers from the database.
 */
export abstract class ApiKeyCache {
  /** Caches `record`; with `onlyIfAbsent` a record written meanwhile (a revocation) is kept. */
  abstract put(hash: string, record: ApiKeyRecord, opts?: { onlyIfAbsent?: boolean }): Promise<void>;
  /** Marks the key revoked and tells every gateway to drop it from its local cache now. */
  abstract revoke(hash: string, keyId: string): Promise<void>;
  /** Last use of each key as recorded by the gateway (missing when unknown). */
  abstract lastUsed(keyIds: string[]): Promise<Map<string, Date>>;
}

export const ttlOf = (record: ApiKeyRecord): number =>
  record.kind === 'unknown' ? UNKNOWN_KEY_TTL_SECONDS : API_KEY_RECORD_TTL_SECONDS;

@Injectable()
export class RedisApiKeyCache extends ApiKeyCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async put(hash: string, record: ApiKeyRecord, opts: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    const key = apiKeyCacheKey(hash);
    const value = JSON.stringify(record);
    try {
      if (opts.onlyIfAbsent) await this.redis.set(key, value, 'EX', ttlOf(record), 'NX');
      else await this.redis.set(key, value, 'EX', ttlOf(record));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, keyId: 'keyId' in record ? record.keyId : undefined }, 'could not cache API key record; the gateway will resolve it');
    }
  }

  async revoke(hash: string, keyId: string): Promise<void> {
    const record: ApiKeyRecord = { kind: 'revoked', keyId, revoked: true };
    try {
      // The record first: a gateway that evicts on the message and reads Redis again must see it.
      await this.redis.set(apiKeyCacheKey(hash), JSON.stringify(record), 'EX', ttlOf(record));
      await this.redis.publish(API_KEY_REVOKED_CHANNEL, hash);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, keyId }, 'could not announce API key revocation in Redis');
    }
  }

  async lastUsed(keyIds: string[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    if (!keyIds.length) return out;
    try {
      const values = await this.redis.mget(keyIds.map(apiKeyLastUsedKey));
      values.forEach((v, i) => {
        const ms = Number(v);
        if (v !== null && Number.isFinite(ms) && ms > 0) out.set(keyIds[i], new Date(ms));
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not read API key last use from Redis');
    }
    return out;
  }
}
