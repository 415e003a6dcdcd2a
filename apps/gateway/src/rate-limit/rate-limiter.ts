import type { Logger } from '@keyline/platform-observability';
import type Redis from 'ioredis';
import { TOKEN_BUCKET_LUA } from './token-bucket.lua';

/** A token bucket: refills at `ratePerSecond` up to `burst` tokens. */
export interface BucketPolicy {
  ratePerSecond: number;
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Burst of the tightest bucket (RateLimit-Limit). */
  limit: number;
  remaining: number;
  /** Seconds until the tightest bucket is full again (RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds to wait before retrying a refused request (Retry-After), at least 1. */
  retryAfterSeconds: number;
}

/** allowed, limit, remaining, resetMs, retryAfterMs, then (leases) granted and 1-based tightest bucket. */
type Reply = [number, number, number, number, number, number?, number?];
interface WithTokenBucket {
  klTokenBucket(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
}

export interface LeaseOptions {
  /** Most tokens taken from Redis in one call (default 50). */
  maxLease: number;
  /** Share of a bucket's burst one lease may hold: burst / divisor (default 10). */
  burstDivisor: number;
  /** Unspent leased tokens are dropped this long after their lease was granted (default 250 ms). */
  ttlMs: number;
  now: () => number;
}

const COMMAND = 'klTokenBucket';
const WARN_INTERVAL_MS = 30_000;
const SWEEP_INTERVAL_MS = 1000;
const DEFAULT_LEASE: LeaseOptions = { maxLease: 50, burstDivisor: 10, ttlMs: 250, now: Date.now };

/** Turns the script's reply into header values (exported for tests of the rounding). */
export function decisionOf([allowed, limit, remaining, resetMs, retryMs]: Reply): RateDecision {
  return {
    allowed: allowed === 1,
    limit,
    remaining: Math.max(0, remaining),
    resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
    retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)),
  };
}

/** Tokens this gateway holds for one set of buckets, spent locally until they run out or expire. */
interface Lease {
  tokens: number;
  expiresAt: number;
  /** Whole tokens left in Redis (tightest bucket) when the lease was last refilled. */
  redisRemaining: number;
  limit: number;
  rate: number;
  /** Refill below this many tokens, before the lease runs dry. */
  lowWater: number;
  /** The refill in flight: the Redis decision, undefined when Redis could not decide. */
  refill: Promise<RateDecision | undefined> | undefined;
}

/**
 * Distributed rate limiting with token buckets in Redis, the shared authority across gateway
 * instances. To keep Redis off the per-request path, each instance leases tokens in batches
 * (min(burst / 10, 50) per set of buckets and EVALSHA) and spends them locally, refilling the lease
 * in the background when it runs low; leased tokens it has not spent within `ttlMs` are dropped.
 * Tokens are charged in Redis before they are spent, so the buckets are never exceeded: a lease only
 * makes a client's 429 come early by at most the tokens other instances hold for it (lease size ×
 * other instances), and lets tokens taken from a bucket be spent up to `ttlMs` later. Buckets whose
 * lease would be a single token are checked per request, exactly.
 *
 * When Redis is unavailable the limiter fails open, warning at most every 30 s: availability beats
 * limits; authentication does not depend on it.
 */
export class RateLimiter {
  private lastWarning = 0;
  private lastSweep = 0;
  private readonly leases = new Map<string, Lease>();
  private readonly lease: LeaseOptions;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly onUnavailable: () => void = () => undefined,
    lease: Partial<LeaseOptions> = {},
  ) {
    this.lease = { ...DEFAULT_LEASE, ...lease };
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: TOKEN_BUCKET_LUA });
  }

  /** Tokens one lease takes for these buckets; 1 means no leasing (every request asks Redis). */
  leaseSize(policies: readonly BucketPolicy[]): number {
    let size = this.lease.maxLease;
    for (const p of policies) size = Math.min(size, Math.floor(p.burst / this.lease.burstDivisor));
    return Math.max(1, size);
  }

  /**
   * Charges one token to each bucket; undefined when Redis could not decide (fail open). Synchronous
   * when a leased token is at hand, which is the common case under load.
   */
  take(keys: readonly string[], policies: readonly BucketPolicy[]): RateDecision | undefined | Promise<RateDecision | undefined> {
    const size = this.leaseSize(policies);
    if (size <= 1) return this.call(keys, policies, 1).then((r) => r && decisionOf(r));
    const id = keys.length === 1 ? keys[0] : keys.join(' ');
    const now = this.lease.now();
    let lease = this.leases.get(id);
    if (!lease) {
      this.sweep(now);
      lease = { tokens: 0, expiresAt: 0, redisRemaining: 0, limit: 0, rate: 1, lowWater: size >> 1, refill: undefined };
      this.leases.set(id, lease);
    } else if (lease.tokens > 0 && lease.expiresAt <= now) {
      lease.tokens = 0;
    }
    if (lease.tokens > 0) {
      lease.tokens--;
      if (lease.tokens <= lease.lowWater && !lease.refill) void this.refill(lease, keys, policies, size);
      return grantedDecision(lease);
    }
    return this.await(lease, keys, policies, size);
  }

  /** The lease is dry: wait for tokens from Redis (sharing one call among concurrent requests). */
  private async await(lease: Lease, keys: readonly string[], policies: readonly BucketPolicy[], size: number): Promise<RateDecision | undefined> {
    for (;;) {
      const pending = lease.refill ?? this.refill(lease, keys, policies, size);
      const outcome = await pending;
      if (!outcome) return undefined;
      if (lease.tokens > 0 && lease.expiresAt > this.lease.now()) {
        lease.tokens--;
        return grantedDecision(lease);
      }
      if (!outcome.allowed) return outcome;
      // Granted, but concurrent requests spent it first: ask again.
    }
  }

  private refill(lease: Lease, keys: readonly string[], policies: readonly BucketPolicy[], size: number): Promise<RateDecision | undefined> {
    const flight = this.call(keys, policies, size).then((reply) => {
      lease.refill = undefined;
      if (!reply) return undefined;
      const granted = reply[5] ?? 0;
      const now = this.lease.now();
      if (granted > 0) {
        lease.tokens = (lease.expiresAt > now ? lease.tokens : 0) + granted;
        lease.expiresAt = now + this.lease.ttlMs;
      }
      lease.redisRemaining = Math.max(0, reply[2]);
      lease.limit = reply[1];
      lease.rate = policies[(reply[6] ?? 1) - 1]?.ratePerSecond ?? policies[0].ratePerSecond;
      return decisionOf(reply);
    });
    lease.refill = flight;
    return flight;
  }

  /** Drops leases that expired, at most once a second, so idle keys and addresses do not pile up. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [id, lease] of this.leases) if (!lease.refill && lease.expiresAt <= now) this.leases.delete(id);
  }

  /** One EVALSHA; undefined (fail open, counted and logged) when Redis does not answer. */
  private async call(keys: readonly string[], policies: readonly BucketPolicy[], want: number): Promise<Reply | undefined> {
    const args: (string | number)[] = [...keys, want];
    for (const p of policies) args.push(p.ratePerSecond, p.burst);
    try {
      return await (this.redis as unknown as WithTokenBucket).klTokenBucket(keys.length, ...args);
    } catch (err) {
      this.onUnavailable();
      const now = Date.now();
      if (now - this.lastWarning >= WARN_INTERVAL_MS) {
        this.lastWarning = now;
        this.logger.warn({ err: (err as Error).message }, 'rate limiting unavailable (Redis); letting requests through');
      }
      return undefined;
    }
  }
}

/** Headers for a request served from a lease: Redis' count plus the tokens this instance still holds. */
function grantedDecision(lease: Lease): RateDecision {
  const remaining = Math.min(lease.limit, lease.redisRemaining + lease.tokens);
  return {
    allowed: true,
    limit: lease.limit,
    remaining,
    resetSeconds: Math.max(0, Math.ceil((lease.limit - remaining) / lease.rate)),
    retryAfterSeconds: 1,
  };
}
