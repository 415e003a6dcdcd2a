import { Inject, Injectable } from '@nestjs/common';
import { tenantCorsKey } from '@keyline/directory-contracts';
import { LOGGER } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { REDIS } from '@keyline/platform-persistence';
import Redis from 'ioredis';

/** Each tenant's CORS origins in Redis (`tenantCorsKey(slug)`), where the gateway reads them. */
export abstract class TenantCorsCache {
  /** Writes the origins of one tenant (after its change committed). */
  abstract put(slug: string, origins: string[]): Promise<void>;
  /** Fills in tenants whose entry is missing (e.g. after a Redis flush) without touching newer ones. */
  abstract fill(tenants: { slug: string; corsOrigins: string[] }[]): Promise<void>;
}

@Injectable()
export class RedisTenantCorsCache extends TenantCorsCache {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  async put(slug: string, origins: string[]): Promise<void> {
    try {
      await this.redis.set(tenantCorsKey(slug), JSON.stringify(origins));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, slug }, 'could not write tenant CORS origins to Redis');
    }
  }

  async fill(tenants: { slug: string; corsOrigins: string[] }[]): Promise<void> {
    if (!tenants.length) return;
    const pipeline = this.redis.pipeline();
    for (const t of tenants) pipeline.set(tenantCorsKey(t.slug), JSON.stringify(t.corsOrigins), 'NX');
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }
}
