import { Injectable } from '@nestjs/common';
import { DirectoryInternalPaths, TENANT_SLUG_PATTERN, type TenantData } from '@keyline/directory-contracts';
import { DataSource } from 'typeorm';
import { AuthnErrorCode, AuthnException } from '../core/authn.exception';
import { DirectoryClient } from '../core/directory.client';
import { type AuthnSettings, withDefaults } from './authn-settings';
import { AuthnSettingsEntity, TenantEntity } from './tenant.entity';

/** A tenant as a request sees it: identity and its effective sign-in settings. */
export interface TenantContext {
  id: string;
  slug: string;
  name: string;
  settings: AuthnSettings;
  settingsVersion: number;
}

/** How long a request may use a tenant read earlier; settings changes reach every instance within it. */
const CACHE_MS = 2000;
const CACHE_MAX = 10_000;

/**
 * Tenants by slug (issuer paths) and by id (tokens, sessions), from the read model fed by directory
 * events. A tenant created a moment ago may not have arrived yet: then the directory is asked once and
 * the answer kept, so the hosted pages of a brand-new tenant work at once.
 */
@Injectable()
export class TenantsService {
  private readonly cache = new Map<string, { tenant: TenantContext | null; at: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly directory: DirectoryClient,
  ) {}

  async bySlug(slug: string): Promise<TenantContext> {
    const tenant = await this.cached(`s:${slug}`, async () => {
      if (!TENANT_SLUG_PATTERN.test(slug)) return null;
      const row = (await this.ds.manager.findOneBy(TenantEntity, { slug })) ?? (await this.fromDirectory(slug));
      return row ? this.context(row) : null;
    });
    if (!tenant) throw new AuthnException(AuthnErrorCode.TenantNotFound, `No tenant ${slug}`);
    return tenant;
  }

  async byId(id: string): Promise<TenantContext> {
    const tenant = await this.cached(`i:${id}`, async () => {
      const row = await this.ds.manager.findOneBy(TenantEntity, { id });
      return row ? this.context(row) : null;
    });
    if (!tenant) throw new AuthnException(AuthnErrorCode.TenantNotFound, `No tenant ${id}`);
    return tenant;
  }

  /** Drops what this instance remembers of a tenant (after a settings change here). */
  forget(t: { id: string; slug: string }): void {
    this.cache.delete(`s:${t.slug}`);
    this.cache.delete(`i:${t.id}`);
  }

  private async context(row: TenantEntity): Promise<TenantContext> {
    const s = await this.ds.manager.findOneBy(AuthnSettingsEntity, { tenantId: row.id });
    return { id: row.id, slug: row.slug, name: row.name, settings: withDefaults(s?.settings), settingsVersion: s?.version ?? 0 };
  }

  private async fromDirectory(slug: string): Promise<TenantEntity | null> {
    const t = await this.directory.maybe<TenantData>('GET', DirectoryInternalPaths.tenantBySlug(slug));
    if (!t) return null;
    const row = Object.assign(new TenantEntity(), { id: t.id, slug: t.slug, name: t.name, updatedAt: new Date(t.createdAt) });
    await this.ds.manager.upsert(TenantEntity, row, ['id']);
    return row;
  }

  private async cached(key: string, load: () => Promise<TenantContext | null>): Promise<TenantContext | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.tenant;
    const tenant = await load();
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { tenant, at: now });
    return tenant;
  }
}
