import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@keyline/platform-persistence';
import type { Redis } from 'ioredis';
import type { FlowState } from './flow.types';

/** How long a flow may take from start to finish. */
export const FLOW_TTL_MS = 15 * 60_000;

const key = (id: string) => `authn:flow:${id}`;
const FLOW_ID = /^[A-Za-z0-9_-]{22,64}$/;

/** Flows in Redis: short-lived, shared by every authn instance, gone when finished or expired. */
@Injectable()
export class FlowStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  newId(): string {
    return randomBytes(24).toString('base64url');
  }

  async get(id: string): Promise<FlowState | null> {
    if (!FLOW_ID.test(id)) return null;
    const raw = await this.redis.get(key(id));
    return raw ? (JSON.parse(raw) as FlowState) : null;
  }

  async save(flow: FlowState): Promise<void> {
    const ttl = flow.expiresAt - Date.now();
    if (ttl <= 0) return this.delete(flow.id);
    await this.redis.set(key(flow.id), JSON.stringify(flow), 'PX', ttl);
  }

  async delete(id: string): Promise<void> {
    await this.redis.del(key(id));
  }

  /** One-time tokens (reset and verification links): stored by hash, taken exactly once. */
  async putToken(kind: string, hash: string, value: object, ttlMs: number): Promise<void> {
    await this.redis.set(`authn:${kind}:${hash}`, JSON.stringify(value), 'PX', ttlMs);
  }

  async peekToken<T>(kind: string, hash: string): Promise<T | null> {
    const raw = await this.redis.get(`authn:${kind}:${hash}`);
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async takeToken<T>(kind: string, hash: string): Promise<T | null> {
    const raw = await this.redis.getdel(`authn:${kind}:${hash}`);
    return raw ? (JSON.parse(raw) as T) : null;
  }

  /** Counts an action within a window; the count after this one. */
  async count(name: string, windowMs: number): Promise<number> {
    const k = `authn:count:${name}`;
    const [[, n]] = (await this.redis.multi().incr(k).pexpire(k, windowMs, 'NX').exec()) as [[null, number]];
    return n;
  }
}
