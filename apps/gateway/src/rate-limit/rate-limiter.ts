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

type Reply = [number, number, number, number, number];
interface WithTokenBucket {
  klTokenBucket(numKeys: number, ...args: (string | number)[]): Promise<Reply>;
}

const COMMAND = 'klTokenBucket';
const WARN_INTERVAL_MS = 30_000;

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

/**
 * Distributed rate limiting with token buckets in Redis: one EVALSHA per request covers all of its
 * buckets (ioredis falls back to EVAL once when the script is not cached). When Redis is unavailable
 * the limiter fails open, warning at most every 30 s: availability beats limits; authentication
 * does not depend on it.
 */
export class RateLimiter {
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly onUnavailable: () => void = () => undefined,
  ) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: TOKEN_BUCKET_LUA });
  }

  /** Charges one token to each bucket; undefined when Redis could not decide (fail open). */
  async take(keys: readonly string[], policies: readonly BucketPolicy[]): Promise<RateDecision | undefined> {
    const args: (string | number)[] = [...keys, 1];
    for (const p of policies) args.push(p.ratePerSecond, p.burst);
    try {
      return decisionOf(await (this.redis as unknown as WithTokenBucket).klTokenBucket(keys.length, ...args));
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
