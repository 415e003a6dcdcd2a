import type { Redis } from 'ioredis';

/** What oidc-provider stores through its adapter (see oidc-provider's adapter interface). */
export type AdapterPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'ClientCredentials']);
const CONSUMABLE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PushedAuthorizationRequest']);

/**
 * oidc-provider's artefacts of one tenant in Redis, each with the TTL the provider gives it: codes,
 * interactions, PAR requests, device codes, sessions, grants, tokens. Keys carry the tenant, so a
 * token id of tenant A never resolves at tenant B's provider. Grants index their tokens, so revoking a
 * grant (code reuse, refresh-token reuse, logout) removes every token issued under it.
 */
export class RedisOidcAdapter {
  constructor(
    private readonly redis: Redis,
    private readonly tenantId: string,
    private readonly model: string,
  ) {}

  private key(id: string): string {
    return `oidc:${this.tenantId}:${this.model}:${id}`;
  }

  private grantKey(grantId: string): string {
    return `oidc:${this.tenantId}:grant-index:${grantId}`;
  }

  private lookupKey(kind: 'userCode' | 'uid', value: string): string {
    return `oidc:${this.tenantId}:${this.model}:${kind}:${value}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const m = this.redis.multi();
    if (CONSUMABLE.has(this.model)) m.hset(key, { payload: JSON.stringify(payload) });
    else m.set(key, JSON.stringify(payload));
    if (expiresIn) m.expire(key, expiresIn);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const gk = this.grantKey(payload.grantId);
      m.rpush(gk, key);
      // The index lives as long as its longest-lived token.
      if (expiresIn) m.expire(gk, expiresIn, 'GT');
      if (expiresIn) m.expire(gk, expiresIn, 'NX');
    }
    if (payload.userCode) {
      m.set(this.lookupKey('userCode', payload.userCode), id);
      if (expiresIn) m.expire(this.lookupKey('userCode', payload.userCode), expiresIn);
    }
    if (payload.uid) {
      m.set(this.lookupKey('uid', payload.uid), id);
      if (expiresIn) m.expire(this.lookupKey('uid', payload.uid), expiresIn);
    }
    await m.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const key = this.key(id);
    if (CONSUMABLE.has(this.model)) {
      const data = await this.redis.hgetall(key);
      if (!data || !data.payload) return undefined;
      const payload = JSON.parse(data.payload) as AdapterPayload;
      return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
    }
    const raw = await this.redis.get(key);
    return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.lookupKey('userCode', userCode));
    return id ? this.find(id) : undefined;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(this.lookupKey('uid', uid));
    return id ? this.find(id) : undefined;
  }

  /** Marks a code or refresh token used: a second use is then detected (and revokes its grant). */
  async consume(id: string): Promise<void> {
    await this.redis.hset(this.key(id), 'consumed', Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const gk = this.grantKey(grantId);
    const keys = await this.redis.lrange(gk, 0, -1);
    await this.redis.multi().del(...keys, gk).exec();
  }
}
