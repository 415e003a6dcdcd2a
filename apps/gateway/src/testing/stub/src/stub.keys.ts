import { randomBytes, randomUUID } from 'node:crypto';
import { API_KEY_PREFIX, API_KEY_REVOKED_CHANNEL, ApiKeyRecord, apiKeyCacheKey } from '@keyline/directory-contracts';
import type Redis from 'ioredis';
import { keyHash } from '../../../auth/api-key.resolver';

interface Tenant {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
}

interface Key {
  id: string;
  hash: string;
  tenant: Tenant | undefined;
  name: string;
  scopes: string[];
  revoked: boolean;
}

/**
 * In-memory tenants and keys that behave like the directory towards the gateway: records are cached
 * in Redis on resolution, revocations rewrite the record and publish the hash.
 */
export class StubKeys {
  private readonly tenants = new Map<string, Tenant>();
  private readonly byHash = new Map<string, Key>();
  private readonly byId = new Map<string, Key>();

  constructor(
    private readonly redis: Redis,
    platformKey: string | undefined,
  ) {
    if (platformKey) this.add(keyHash(platformKey), undefined, 'platform-admin', ['admin']);
  }

  createTenant(slug: string, name: string): Tenant | undefined {
    if (this.tenants.has(slug)) return undefined;
    const tenant = { id: randomUUID(), slug, name, createdAt: new Date().toISOString() };
    this.tenants.set(slug, tenant);
    return tenant;
  }

  tenant(slug: string): Tenant | undefined {
    return this.tenants.get(slug);
  }

  createKey(tenant: Tenant, name: string, scopes: string[]) {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const k = this.add(keyHash(key), tenant, name, scopes);
    return { id: k.id, name, scopes, prefix: key.slice(0, 12), key, createdAt: new Date().toISOString() };
  }

  async revoke(tenant: Tenant, id: string): Promise<boolean> {
    const k = this.byId.get(id);
    if (!k || k.tenant !== tenant || k.revoked) return false;
    k.revoked = true;
    await this.redis.set(apiKeyCacheKey(k.hash), JSON.stringify(this.record(k)), 'EX', 3600);
    await this.redis.publish(API_KEY_REVOKED_CHANNEL, k.hash);
    return true;
  }

  async resolve(hash: string): Promise<ApiKeyRecord> {
    const k = this.byHash.get(hash);
    const record = k ? this.record(k) : ({ kind: 'unknown' } as const);
    await this.redis.set(apiKeyCacheKey(hash), JSON.stringify(record), 'EX', k ? 3600 : 10);
    return record;
  }

  private add(hash: string, tenant: Tenant | undefined, name: string, scopes: string[]): Key {
    const k: Key = { id: randomUUID(), hash, tenant, name, scopes, revoked: false };
    this.byHash.set(hash, k);
    this.byId.set(k.id, k);
    return k;
  }

  private record(k: Key): ApiKeyRecord {
    if (k.revoked) return { kind: 'revoked', keyId: k.id, revoked: true };
    if (!k.tenant) return { kind: 'platform', keyId: k.id, scopes: k.scopes };
    return { kind: 'tenant', keyId: k.id, tenantId: k.tenant.id, tenantSlug: k.tenant.slug, scopes: k.scopes };
  }
}
