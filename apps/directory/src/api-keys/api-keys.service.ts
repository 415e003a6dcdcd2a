import { Injectable } from '@nestjs/common';
import type { ApiKeyData, ApiKeyRecord } from '@keyline/directory-contracts';
import { Principal, actorOf } from '@keyline/platform-http';
import { Clock } from '../core/clock';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { newId } from '../core/ids';
import { Page, decodeCursor, toPage } from '@keyline/platform-http';
import { TENANT_ADMIN_SCOPE, TenantsService } from '../tenants/tenants.service';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyEntity } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key.secret';
import { ApiKeyStore } from './api-key.store';

export interface ApiKeyCreate {
  name: string;
  scopes: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function apiKeyData(k: ApiKeyEntity): ApiKeyData {
  return { id: k.id, tenantId: k.tenantId as string, name: k.name, prefix: k.prefix, scopes: k.scopes };
}

/** What the gateway caches for a key: who it is, never the key. */
export function recordOf(k: ApiKeyEntity, tenantSlug?: string): ApiKeyRecord {
  if (k.revokedAt) return { kind: 'revoked', keyId: k.id, revoked: true };
  if (k.kind === 'platform') return { kind: 'platform', keyId: k.id, scopes: k.scopes };
  return { kind: 'tenant', keyId: k.id, tenantId: k.tenantId as string, tenantSlug: tenantSlug as string, scopes: k.scopes };
}

/** Tenant API keys: issued once, stored as a hash, revocable everywhere within a second. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly cache: ApiKeyCache,
    private readonly tenants: TenantsService,
    private readonly clock: Clock,
  ) {}

  /** Issues a key. The returned `secret` exists nowhere else: only its hash is stored. */
  async create(caller: Principal, slug: string, input: ApiKeyCreate): Promise<{ key: ApiKeyEntity; secret: string }> {
    const tenant = await this.tenants.authorize(caller, slug, TENANT_ADMIN_SCOPE);
    const secret = generateApiKey('tenant');
    const now = this.clock.now();
    const key = Object.assign(new ApiKeyEntity(), {
      id: newId(),
      tenantId: tenant.id,
      kind: 'tenant',
      name: input.name,
      prefix: displayPrefix(secret),
      keyHash: hashApiKey(secret),
      scopes: [...new Set(input.scopes)],
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      createdBy: actorOf(caller),
    } satisfies ApiKeyEntity);
    await this.store.create(key, {
      type: 'api-key.created',
      meta: { tenantId: tenant.id, actor: actorOf(caller), subject: key.id, occurredAt: now },
      data: apiKeyData(key),
    });
    await this.cache.put(key.keyHash, recordOf(key, tenant.slug));
    return { key, secret };
  }

  /** A tenant's keys, oldest first, with the last use the gateways recorded. */
  async list(caller: Principal, slug: string, query: { limit: number; cursor?: string }): Promise<Page<ApiKeyEntity>> {
    const tenant = await this.tenants.authorize(caller, slug, TENANT_ADMIN_SCOPE);
    const rows = await this.store.pageOfTenant(tenant.id, decodeCursor(query.cursor), query.limit + 1);
    const page = toPage(rows, query.limit);
    const used = await this.cache.lastUsed(page.items.map((k) => k.id));
    for (const k of page.items) {
      const seen = used.get(k.id);
      if (seen && (!k.lastUsedAt || seen > k.lastUsedAt)) k.lastUsedAt = seen;
    }
    return page;
  }

  /**
   * Revokes a key; revoking it again answers the same. Only the first revocation writes the
   * `api-key.revoked` event; every call announces it in Redis again, which heals a failed announcement.
   */
  async revoke(caller: Principal, slug: string, id: string): Promise<void> {
    const tenant = await this.tenants.authorize(caller, slug, TENANT_ADMIN_SCOPE);
    const key = UUID.test(id) ? await this.store.findInTenant(tenant.id, id.toLowerCase()) : null;
    if (!key) throw new DirectoryException(DirectoryErrorCode.ApiKeyNotFound, `No API key ${id} in tenant ${slug}`);
    if (!key.revokedAt) {
      const revokedAt = this.clock.now();
      await this.store.revoke(key.id, revokedAt, {
        type: 'api-key.revoked',
        meta: { tenantId: tenant.id, actor: actorOf(caller), subject: key.id, occurredAt: revokedAt },
        data: { ...apiKeyData(key), revokedAt: revokedAt.toISOString() },
      });
    }
    await this.cache.revoke(key.keyHash, key.id);
  }

  /**
   * The record of a key hash from the database, for a gateway whose cache missed, cached again on the
   * way. Anything but a revocation only fills an empty slot, so a revocation written meanwhile wins.
   */
  async resolve(hash: string): Promise<ApiKeyRecord> {
    const key = await this.store.findByHash(hash);
    let record: ApiKeyRecord;
    if (!key) record = { kind: 'unknown' };
    else if (key.revokedAt || key.kind === 'platform') record = recordOf(key);
    else {
      const tenant = await this.tenants.findById(key.tenantId as string);
      record = tenant ? recordOf(key, tenant.slug) : { kind: 'unknown' };
    }
    await this.cache.put(hash, record, { onlyIfAbsent: record.kind !== 'revoked' });
    return record;
  }
}
