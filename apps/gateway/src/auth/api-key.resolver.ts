import { hash } from 'node:crypto';
import { ApiKeyRecord, apiKeyCacheKey, apiKeyLastUsedKey } from '@keyline/directory-contracts';
import { ApiKeyCache } from './api-key.cache';
import { KeyCheck, THROTTLED_KEY, keyCheckOf, parseApiKeyRecord } from './api-key.principal';

/** The subset of Redis the resolver uses (ioredis satisfies it). */
export interface KeyStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/** The directory's resolve endpoint (API_KEY_RESOLVE_PATH): the source of truth on a cold cache. */
export interface KeyDirectory {
  resolve(hash: string, requestId: string): Promise<ApiKeyRecord>;
}

/** Neither Redis nor the directory could vouch for an uncached key: answer 503, never let it through. */
export class KeyVerificationUnavailable extends Error {
  constructor(cause: unknown) {
    super('API key verification is unavailable', { cause });
  }
}

export type KeySource = 'memory' | 'redis' | 'directory';

export interface ResolverObserver {
  lookup(source: KeySource): void;
}

const LAST_USED_INTERVAL_MS = 60_000;
const LAST_USED_TRACKED = 100_000;

/** SHA-256 hex of a presented key: the only form in which keys are looked up and cached. */
export const keyHash = (key: string): string => hash('sha256', key, 'hex');

/**
 * Authenticates API keys without a database round trip on the hot path: in-process cache, then the
 * directory's Redis record, then the directory itself. Concurrent lookups of one key share a single
 * flight; a revocation (`evict`) bumps an epoch so a lookup that raced with it is not cached.
 */
export class ApiKeyResolver {
  private readonly inflight = new Map<string, Promise<KeyCheck>>();
  private readonly lastUsed = new Map<string, number>();
  private epoch = 0;

  constructor(
    private readonly cache: ApiKeyCache,
    private readonly store: KeyStore,
    private readonly directory: KeyDirectory,
    private readonly observer: ResolverObserver,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Synchronous on a cache hit, so that the common case costs no promise. `admitDirectory` is asked
   * before the directory is called for a key Redis does not know (random keys must not reach the
   * database at the caller's pace).
   */
  check(key: string, requestId: string, admitDirectory?: () => Promise<boolean>): KeyCheck | Promise<KeyCheck> {
    const h = keyHash(key);
    const cached = this.cache.get(h, this.now());
    if (cached) {
      this.observer.lookup('memory');
      return cached;
    }
    const existing = this.inflight.get(h);
    if (existing) return existing;
    const flight: Promise<KeyCheck> = this.load(h, requestId, admitDirectory).finally(() => {
      if (this.inflight.get(h) === flight) this.inflight.delete(h);
    });
    this.inflight.set(h, flight);
    return flight;
  }

  /** A revocation message for `hash`: forget it now. */
  evict(h: string): void {
    this.epoch++;
    this.cache.delete(h);
    this.inflight.delete(h);
  }

  /** Messages may have been missed (subscriber reconnected): forget everything. */
  evictAll(): void {
    this.epoch++;
    this.cache.clear();
    this.inflight.clear();
  }

  /** Records that a key was used, at most once a minute per key; losing a write only ages the stamp. */
  touch(keyId: string): void {
    const now = this.now();
    const last = this.lastUsed.get(keyId);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    if (this.lastUsed.size >= LAST_USED_TRACKED) this.lastUsed.clear();
    this.lastUsed.set(keyId, now);
    this.store.set(apiKeyLastUsedKey(keyId), String(now)).catch(() => undefined);
  }

  private async load(h: string, requestId: string, admitDirectory?: () => Promise<boolean>): Promise<KeyCheck> {
    const epoch = this.epoch;
    let record = await this.fromRedis(h);
    let source: KeySource = 'redis';
    if (!record) {
      if (admitDirectory && !(await admitDirectory())) return THROTTLED_KEY;
      source = 'directory';
      try {
        record = await this.directory.resolve(h, requestId);
      } catch (err) {
        throw new KeyVerificationUnavailable(err);
      }
    }
    const check = keyCheckOf(record);
    this.observer.lookup(source);
    if (epoch === this.epoch) this.cache.set(h, check, this.now());
    return check;
  }

  /** Undefined on a miss, a malformed record or Redis being down: the directory decides then. */
  private async fromRedis(h: string): Promise<ApiKeyRecord | undefined> {
    try {
      const raw = await this.store.get(apiKeyCacheKey(h));
      return raw ? parseApiKeyRecord(JSON.parse(raw)) : undefined;
    } catch {
      return undefined;
    }
  }
}
