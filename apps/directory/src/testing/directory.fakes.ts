import type { ApiKeyRecord } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import { ApiKeyCache } from '../api-keys/api-key.cache';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { ApiKeyStore, PlatformKeysTx } from '../api-keys/api-key.store';
import { AdminKeyAnnouncer } from '../api-keys/platform-key.bootstrap';
import { Clock } from '../core/clock';
import type { DirectoryEvent } from '../core/directory-event';
import { TenantCorsCache } from '../tenants/tenant-cors.cache';
import { TenantEntity } from '../tenants/tenant.entity';
import { TenantChanges, TenantStore } from '../tenants/tenant.store';

/** Typed in-memory stand-ins for the directory's side effects, for unit tests. */

export class FixedClock extends Clock {
  constructor(private current = new Date('2026-01-02T03:04:05.000Z')) {
    super();
  }
  override now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const copyTenant = (t: TenantEntity): TenantEntity => Object.assign(new TenantEntity(), t, { corsOrigins: [...t.corsOrigins] });
const copyKey = (k: ApiKeyEntity): ApiKeyEntity => Object.assign(new ApiKeyEntity(), k, { scopes: [...k.scopes] });
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class FakeTenantStore extends TenantStore {
  readonly rows = new Map<string, TenantEntity>();
  readonly events: DirectoryEvent[] = [];

  async create(tenant: TenantEntity, event: DirectoryEvent): Promise<boolean> {
    if ([...this.rows.values()].some((t) => t.slug === tenant.slug)) return false;
    this.rows.set(tenant.id, copyTenant(tenant));
    this.events.push(event);
    return true;
  }
  async findBySlug(slug: string) {
    const t = [...this.rows.values()].find((r) => r.slug === slug);
    return t ? copyTenant(t) : null;
  }
  async findById(id: string) {
    const t = this.rows.get(id);
    return t ? copyTenant(t) : null;
  }
  async page(after: string | undefined, take: number) {
    return [...this.rows.values()]
      .filter((t) => !after || t.id > after)
      .sort(byId)
      .slice(0, take)
      .map(copyTenant);
  }
  async update(id: string, changes: TenantChanges, event: DirectoryEvent): Promise<void> {
    const t = this.rows.get(id);
    if (!t) throw new Error(`no tenant ${id}`);
    Object.assign(t, changes);
    this.events.push(event);
  }
}

export class FakeApiKeyStore extends ApiKeyStore {
  readonly rows = new Map<string, ApiKeyEntity>();
  readonly events: DirectoryEvent[] = [];
  transactions = 0;

  async create(key: ApiKeyEntity, event: DirectoryEvent): Promise<void> {
    if ([...this.rows.values()].some((k) => k.keyHash === key.keyHash)) throw new Error('duplicate keyHash');
    this.rows.set(key.id, copyKey(key));
    this.events.push(event);
  }
  async findByHash(hash: string) {
    const k = [...this.rows.values()].find((r) => r.keyHash === hash);
    return k ? copyKey(k) : null;
  }
  async findInTenant(tenantId: string, id: string) {
    const k = this.rows.get(id);
    return k && k.tenantId === tenantId ? copyKey(k) : null;
  }
  async pageOfTenant(tenantId: string, after: string | undefined, take: number) {
    return [...this.rows.values()]
      .filter((k) => k.tenantId === tenantId && (!after || k.id > after))
      .sort(byId)
      .slice(0, take)
      .map(copyKey);
  }
  async revoke(id: string, revokedAt: Date, event: DirectoryEvent): Promise<boolean> {
    const k = this.rows.get(id);
    if (!k || k.revokedAt) return false;
    k.revokedAt = revokedAt;
    this.events.push(event);
    return true;
  }
  async withPlatformKeys<T>(fn: (tx: PlatformKeysTx) => Promise<T>): Promise<T> {
    this.transactions++;
    const snapshot = new Map([...this.rows].map(([id, k]) => [id, copyKey(k)]));
    const tx: PlatformKeysTx = {
      active: async () => [...this.rows.values()].filter((k) => k.kind === 'platform' && !k.revokedAt).sort(byId).map(copyKey),
      findByHash: (hash) => this.findByHash(hash),
      insert: async (key) => {
        if ([...this.rows.values()].some((k) => k.keyHash === key.keyHash)) throw new Error('duplicate keyHash');
        this.rows.set(key.id, copyKey(key));
      },
      setRevokedAt: async (ids, revokedAt) => {
        for (const id of ids) this.rows.get(id)!.revokedAt = revokedAt;
      },
    };
    try {
      return await fn(tx);
    } catch (err) {
      // Roll back like the database would.
      this.rows.clear();
      for (const [id, k] of snapshot) this.rows.set(id, k);
      throw err;
    }
  }
}

export class FakeTenantCorsCache extends TenantCorsCache {
  readonly entries = new Map<string, string[]>();
  async put(slug: string, origins: string[]): Promise<void> {
    this.entries.set(slug, [...origins]);
  }
  async fill(tenants: { slug: string; corsOrigins: string[] }[]): Promise<void> {
    for (const t of tenants) if (!this.entries.has(t.slug)) this.entries.set(t.slug, [...t.corsOrigins]);
  }
}

export class FakeApiKeyCache extends ApiKeyCache {
  readonly records = new Map<string, ApiKeyRecord>();
  readonly published: string[] = [];
  readonly lastUse = new Map<string, Date>();
  async put(hash: string, record: ApiKeyRecord, opts: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    if (opts.onlyIfAbsent && this.records.has(hash)) return;
    this.records.set(hash, record);
  }
  async revoke(hash: string, keyId: string): Promise<void> {
    this.records.set(hash, { kind: 'revoked', keyId, revoked: true });
    this.published.push(hash);
  }
  async lastUsed(keyIds: string[]): Promise<Map<string, Date>> {
    return new Map(keyIds.filter((id) => this.lastUse.has(id)).map((id) => [id, this.lastUse.get(id)!]));
  }
}

export class FakeAnnouncer extends AdminKeyAnnouncer {
  readonly keys: string[] = [];
  override announce(key: string): void {
    this.keys.push(key);
  }
}

export const platformCaller: Principal = { kind: 'platform', keyId: '00000000-0000-7000-8000-000000000001', scopes: ['admin'] };

export function tenantCaller(tenant: { id: string; slug: string }, scopes: string[] = ['admin']): Principal {
  return { kind: 'tenant', keyId: '00000000-0000-7000-8000-000000000002', tenantId: tenant.id, tenantSlug: tenant.slug, scopes };
}
