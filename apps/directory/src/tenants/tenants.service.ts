import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { TenantData } from '@keyline/directory-contracts';
import { LOGGER, PlatformErrorCode, PlatformException, Principal, actorOf, hasScope } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { Clock } from '../core/clock';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { newId } from '../core/ids';
import { Page, decodeCursor, toPage } from '@keyline/platform-http';
import { normalizeOrigins, sameOrigins } from './cors-origins';
import { TenantCorsCache } from './tenant-cors.cache';
import { TenantEntity } from './tenant.entity';
import { TenantChanges, TenantStore } from './tenant.store';

export interface TenantCreate {
  slug: string;
  name: string;
  corsOrigins?: string[];
}

export interface TenantUpdate {
  name?: string;
  corsOrigins?: string[];
}

/** Scope a tenant's own key needs to read its tenant; changing it needs `admin`. */
export const TENANT_READ_SCOPE = 'tenants:read';
export const TENANT_ADMIN_SCOPE = 'admin';

const CORS_SYNC_BATCH = 500;

export function tenantData(t: TenantEntity): TenantData {
  return { id: t.id, slug: t.slug, name: t.name, createdAt: t.createdAt.toISOString(), corsOrigins: t.corsOrigins };
}

@Injectable()
export class TenantsService implements OnApplicationBootstrap {
  constructor(
    private readonly store: TenantStore,
    private readonly cors: TenantCorsCache,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Creates a tenant; the row and its `tenant.created` event commit together. */
  async create(caller: Principal, input: TenantCreate): Promise<TenantEntity> {
    const now = this.clock.now();
    const tenant = Object.assign(new TenantEntity(), {
      id: newId(),
      slug: input.slug,
      name: input.name,
      corsOrigins: normalizeOrigins(input.corsOrigins ?? []),
      createdAt: now,
      updatedAt: now,
    } satisfies TenantEntity);
    const meta = { tenantId: tenant.id, actor: actorOf(caller), subject: tenant.id, occurredAt: now };
    const created = await this.store.create(tenant, { type: 'tenant.created', meta, data: tenantData(tenant) });
    if (!created) {
      throw new DirectoryException(DirectoryErrorCode.SlugTaken, `The slug ${input.slug} is already taken`, [
        { field: 'slug', message: 'slug is already taken' },
      ]);
    }
    await this.cors.put(tenant.slug, tenant.corsOrigins);
    return tenant;
  }

  /** Every tenant, oldest first (platform admin). */
  async list(query: { limit: number; cursor?: string }): Promise<Page<TenantEntity>> {
    return toPage(await this.store.page(decodeCursor(query.cursor), query.limit + 1), query.limit);
  }

  get(caller: Principal, slug: string): Promise<TenantEntity> {
    return this.authorize(caller, slug, TENANT_READ_SCOPE);
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.store.findById(id);
  }

  /** Changes name and CORS origins; a change that changes nothing writes nothing and emits nothing. */
  async update(caller: Principal, slug: string, patch: TenantUpdate): Promise<TenantEntity> {
    const tenant = await this.authorize(caller, slug, TENANT_ADMIN_SCOPE);
    const changes: TenantChanges = {};
    if (patch.name !== undefined && patch.name !== tenant.name) changes.name = patch.name;
    if (patch.corsOrigins !== undefined) {
      const origins = normalizeOrigins(patch.corsOrigins);
      if (!sameOrigins(origins, tenant.corsOrigins)) changes.corsOrigins = origins;
    }
    const changed = Object.keys(changes);
    if (!changed.length) return tenant;

    changes.updatedAt = this.clock.now();
    const updated = Object.assign(new TenantEntity(), tenant, changes);
    await this.store.update(tenant.id, changes, {
      type: 'tenant.updated',
      meta: { tenantId: tenant.id, actor: actorOf(caller), subject: tenant.id, occurredAt: changes.updatedAt },
      data: { ...tenantData(updated), changes: changed },
    });
    if (changes.corsOrigins) await this.cors.put(updated.slug, updated.corsOrigins);
    return updated;
  }

  /** The tenant with this slug, for other services (internal API). */
  bySlug(slug: string): Promise<TenantEntity | null> {
    return this.store.findBySlug(slug);
  }

  /**
   * The tenant `slug` if `caller` may act on it: the platform admin key, or the tenant's own key with
   * `scope` (or `admin`). Another tenant's key gets the same 404 as a tenant that does not exist, so
   * keys cannot probe which tenants exist.
   */
  async authorize(caller: Principal, slug: string, scope: string): Promise<TenantEntity> {
    const notFound = () => new DirectoryException(DirectoryErrorCode.TenantNotFound, `No tenant ${slug}`);
    if (caller.kind === 'tenant' && caller.tenantSlug !== slug) throw notFound();
    const tenant = await this.store.findBySlug(slug);
    if (!tenant || (caller.kind === 'tenant' && caller.tenantId !== tenant.id)) throw notFound();
    if (!hasScope(caller, scope)) {
      throw new PlatformException(PlatformErrorCode.InsufficientScope, `This key lacks the scope ${scope}`);
    }
    return tenant;
  }

  /** Fills in CORS entries missing from Redis (e.g. after a flush), so the gateway's view heals by itself. */
  async syncCorsCache(): Promise<number> {
    let after: string | undefined;
    let total = 0;
    for (;;) {
      const rows = await this.store.page(after, CORS_SYNC_BATCH);
      if (!rows.length) return total;
      await this.cors.fill(rows);
      total += rows.length;
      after = rows[rows.length - 1].id;
    }
  }

  onApplicationBootstrap(): void {
    // In the background: a large directory must not delay readiness, and a failure here only means
    // the gateway keeps what it already had.
    this.syncCorsCache().catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message }, 'could not sync tenant CORS origins to Redis');
    });
  }
}
