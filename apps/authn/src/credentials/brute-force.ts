import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@keyline/platform-persistence';
import type { Redis } from 'ioredis';
import { Clock } from '../core/clock';
import type { AuthnSettings } from '../tenants/authn-settings';

/** Failures are counted over this window (or the lockout, if longer). */
const WINDOW_MS = 15 * 60_000;
/** Failures before progressive delays begin: 1 s, 2 s, 4 s ... up to a minute. */
const FREE_FAILURES = 2;
const MAX_DELAY_MS = 60_000;

export interface FailureOutcome {
  failures: number;
  /** The identifier may not be tried again before this (ms), 0 when free. */
  blockedUntil: number;
  /** This failure started the temporary lockout. */
  lockedOut: boolean;
}

// KEYS: account, ip. ARGV: now, window, maxFailures, lockoutMs, freeFailures, maxDelayMs.
const FAIL = `
local now = tonumber(ARGV[1])
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local max = tonumber(ARGV[3])
local blocked = 0
if n >= max then
  blocked = now + tonumber(ARGV[4])
elseif n > tonumber(ARGV[5]) then
  blocked = now + math.min(1000 * 2 ^ (n - tonumber(ARGV[5]) - 1), tonumber(ARGV[6]))
end
if blocked > 0 then redis.call('HSET', KEYS[1], 'u', blocked) end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[2]), blocked - now))
local ipn = redis.call('INCR', KEYS[2])
if ipn == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return {n, blocked}
`;

// KEYS: account, ip. ARGV: now, maxFailuresPerIp. Returns {ms to wait (0 when free), failures so far}.
const CHECK = `
local now = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'u', 'n')
local u = tonumber(state[1] or '0')
local n = tonumber(state[2] or '0')
if u > now then return {u - now, n} end
local ipn = tonumber(redis.call('GET', KEYS[2]) or '0')
if ipn >= tonumber(ARGV[2]) then return {math.max(redis.call('PTTL', KEYS[2]), 1000), n} end
return {0, n}
`;

/**
 * Brute-force protection in Redis: failures per identifier and per client IP, progressive delays and
 * a temporary lockout. Counters are keyed by the identifier typed, not by the account, so an unknown
 * address is throttled exactly like a real one (no enumeration through lockouts); keys hold a hash
 * of the identifier, never the address itself.
 */
@Injectable()
export class BruteForceGuard {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds to wait before this identifier (or this IP) may try again; 0 when it may now. */
  async waitMs(tenantId: string, identifier: string, ip: string | null, settings: AuthnSettings): Promise<number> {
    return (await this.check(tenantId, identifier, ip, settings)).waitMs;
  }

  /** The wait, and the identifier's failures so far (a success need not reset a clean record). */
  async check(tenantId: string, identifier: string, ip: string | null, settings: AuthnSettings): Promise<{ waitMs: number; failures: number }> {
    const [wait, failures] = (await this.redis.eval(
      CHECK,
      2,
      accountKey(tenantId, identifier),
      ipKey(tenantId, ip),
      this.clock.nowMs(),
      this.ipLimit(ip, settings.bruteForce.maxFailuresPerIp),
    )) as [number, number];
    return { waitMs: Number(wait), failures: Number(failures) };
  }

  async fail(tenantId: string, identifier: string, ip: string | null, settings: AuthnSettings): Promise<FailureOutcome> {
    const bf = settings.bruteForce;
    const [failures, blockedUntil] = (await this.redis.eval(
      FAIL,
      2,
      accountKey(tenantId, identifier),
      ipKey(tenantId, ip),
      this.clock.nowMs(),
      WINDOW_MS,
      bf.maxFailures,
      bf.lockoutMinutes * 60_000,
      FREE_FAILURES,
      MAX_DELAY_MS,
    )) as [number, number];
    // Attempts are refused while locked, so every failure at or past the limit starts a new lockout.
    return { failures, blockedUntil, lockedOut: failures >= bf.maxFailures };
  }

  /** A success forgets the identifier's failures (not the IP's: one good password must not reset a spray). */
  async succeed(tenantId: string, identifier: string): Promise<void> {
    await this.redis.del(accountKey(tenantId, identifier));
  }

  /** Unlock: admin API or a completed password reset. */
  async clear(tenantId: string, identifiers: readonly string[]): Promise<number> {
    if (!identifiers.length) return 0;
    return this.redis.del(...identifiers.map((i) => accountKey(tenantId, i)));
  }

  async status(tenantId: string, identifier: string): Promise<{ failures: number; lockedUntil: number | null }> {
    const [n, u] = await this.redis.hmget(accountKey(tenantId, identifier), 'n', 'u');
    const until = Number(u ?? 0);
    return { failures: Number(n ?? 0), lockedUntil: until > this.clock.nowMs() ? until : null };
  }

  private ipLimit(ip: string | null, limit: number): number {
    return ip ? limit : Number.MAX_SAFE_INTEGER;
  }
}

/** Identifiers as the directory compares them: NFKC, lower case. */
export const identifierKey = (identifier: string) => identifier.trim().normalize('NFKC').toLowerCase();

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);
const accountKey = (tenantId: string, identifier: string) => `authn:bf:a:${tenantId}:${digest(identifierKey(identifier))}`;
const ipKey = (tenantId: string, ip: string | null) => `authn:bf:ip:${tenantId}:${ip ?? '-'}`;
