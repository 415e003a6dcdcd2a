import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { LOGGER } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import type { DirectoryConfig } from '../config';
import { Clock } from '../core/clock';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { newId } from '../core/ids';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyEntity } from './api-key.entity';
import { displayPrefix, generateApiKey, hashApiKey } from './api-key.secret';
import { ApiKeyStore, PlatformKeysTx } from './api-key.store';
import { recordOf } from './api-keys.service';

/** The line `npm start` picks up from stdout; printed once, when a key is generated. */
export const ADMIN_KEY_LINE_PREFIX = 'KEYLINE_PLATFORM_ADMIN_KEY=';
export const PLATFORM_KEY_SCOPES = ['admin'];
const BOOTSTRAP_ACTOR = 'system:bootstrap';

/** Where a generated platform admin key is shown: one plain stdout line, deliberately not the logger. */
@Injectable()
export class AdminKeyAnnouncer {
  announce(key: string): void {
    process.stdout.write(`${ADMIN_KEY_LINE_PREFIX}${key}\n`);
  }
}

interface Outcome {
  active: ApiKeyEntity[];
  revoked: ApiKeyEntity[];
  generated?: string;
}

/**
 * Makes sure the platform can be administered from the first start. With PLATFORM_ADMIN_API_KEY set,
 * that value is the platform admin key (registered by its hash if new) and every other platform key
 * is revoked, so changing the variable rotates the key. Without it, a key is generated when no active
 * platform key exists: only its hash is stored and the key is announced once.
 */
@Injectable()
export class PlatformKeyBootstrap implements OnModuleInit {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly cache: ApiKeyCache,
    private readonly clock: Clock,
    private readonly announcer: AdminKeyAnnouncer,
    @Inject(DIRECTORY_CONFIG) private readonly config: Pick<DirectoryConfig, 'platformAdminApiKey'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.run();
  }

  async run(): Promise<void> {
    const configured = this.config.platformAdminApiKey;
    const outcome = await this.store.withPlatformKeys(async (tx) => {
      const active = await tx.active();
      return configured ? this.useConfigured(tx, configured, active) : this.ensureOne(tx, active);
    });
    for (const k of outcome.active) await this.cache.put(k.keyHash, recordOf(k));
    for (const k of outcome.revoked) await this.cache.revoke(k.keyHash, k.id);
    if (outcome.revoked.length) {
      this.logger.warn({ keyIds: outcome.revoked.map((k) => k.id) }, 'revoked platform admin keys other than PLATFORM_ADMIN_API_KEY');
    }
    if (outcome.generated) {
      this.announcer.announce(outcome.generated);
      this.logger.info({ keyId: outcome.active[0].id }, 'generated the platform admin key (shown once on stdout)');
    }
  }

  private async useConfigured(tx: PlatformKeysTx, configured: string, active: ApiKeyEntity[]): Promise<Outcome> {
    const hash = hashApiKey(configured);
    let mine = active.find((k) => k.keyHash === hash);
    if (!mine) {
      const existing = await tx.findByHash(hash);
      if (existing && existing.kind !== 'platform') throw new Error('PLATFORM_ADMIN_API_KEY is the value of a tenant API key');
      if (existing) {
        // Revoked by an earlier rotation and configured again: the variable wins.
        await tx.setRevokedAt([existing.id], null);
        mine = Object.assign(existing, { revokedAt: null });
      } else {
        mine = this.platformKey(configured, 'platform admin (PLATFORM_ADMIN_API_KEY)');
        await tx.insert(mine);
      }
    }
    const others = active.filter((k) => k.id !== mine.id);
    const revokedAt = this.clock.now();
    await tx.setRevokedAt(
      others.map((k) => k.id),
      revokedAt,
    );
    return { active: [mine], revoked: others.map((k) => Object.assign(k, { revokedAt })) };
  }

  private async ensureOne(tx: PlatformKeysTx, active: ApiKeyEntity[]): Promise<Outcome> {
    if (active.length) return { active, revoked: [] };
    const secret = generateApiKey('platform');
    const key = this.platformKey(secret, 'platform admin (generated)');
    await tx.insert(key);
    return { active: [key], revoked: [], generated: secret };
  }

  private platformKey(secret: string, name: string): ApiKeyEntity {
    return Object.assign(new ApiKeyEntity(), {
      id: newId(),
      tenantId: null,
      kind: 'platform',
      name,
      prefix: displayPrefix(secret),
      keyHash: hashApiKey(secret),
      scopes: PLATFORM_KEY_SCOPES,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
      createdBy: BOOTSTRAP_ACTOR,
    } satisfies ApiKeyEntity);
  }
}
