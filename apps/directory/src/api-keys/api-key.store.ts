import { Inject, Injectable } from '@nestjs/common';
import { dialectOf } from '@keyline/platform-persistence';
import { DataSource, EntityManager, In, IsNull, MoreThan } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { ApiKeyEntity } from './api-key.entity';

/** The platform admin keys as seen inside one exclusive transaction. */
export interface PlatformKeysTx {
  /** Platform keys not revoked, oldest first. */
  active(): Promise<ApiKeyEntity[]>;
  findByHash(hash: string): Promise<ApiKeyEntity | null>;
  insert(key: ApiKeyEntity): Promise<void>;
  setRevokedAt(ids: string[], revokedAt: Date | null): Promise<void>;
}

/** API key persistence. Each write commits the row and its event together, or neither. */
export abstract class ApiKeyStore {
  abstract create(key: ApiKeyEntity, event: DirectoryEvent): Promise<void>;
  abstract findByHash(hash: string): Promise<ApiKeyEntity | null>;
  abstract findInTenant(tenantId: string, id: string): Promise<ApiKeyEntity | null>;
  /** Up to `take` keys of a tenant with an id after `after`, in id (creation) order. */
  abstract pageOfTenant(tenantId: string, after: string | undefined, take: number): Promise<ApiKeyEntity[]>;
  /** Marks the key revoked and writes `event`; false (and no event) when it already was revoked. */
  abstract revoke(id: string, revokedAt: Date, event: DirectoryEvent): Promise<boolean>;
  /** Runs `fn` in one transaction that replicas starting together take one at a time. */
  abstract withPlatformKeys<T>(fn: (tx: PlatformKeysTx) => Promise<T>): Promise<T>;
}

/** Postgres advisory lock key serialising the platform key bootstrap of replicas. */
const PLATFORM_KEYS_LOCK = 0x6b6c6164;

@Injectable()
export class TypeOrmApiKeyStore extends ApiKeyStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  async create(key: ApiKeyEntity, event: DirectoryEvent): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.insert(ApiKeyEntity, key);
      await appendEvent(this.outbox, m, event);
    });
    this.outbox.wake();
  }

  findByHash(hash: string): Promise<ApiKeyEntity | null> {
    return this.ds.getRepository(ApiKeyEntity).findOneBy({ keyHash: hash });
  }

  findInTenant(tenantId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.ds.getRepository(ApiKeyEntity).findOneBy({ id, tenantId });
  }

  pageOfTenant(tenantId: string, after: string | undefined, take: number): Promise<ApiKeyEntity[]> {
    return this.ds.getRepository(ApiKeyEntity).find({
      where: { tenantId, ...(after ? { id: MoreThan(after) } : {}) },
      order: { id: 'ASC' },
      take,
    });
  }

  async revoke(id: string, revokedAt: Date, event: DirectoryEvent): Promise<boolean> {
    const revoked = await this.ds.transaction(async (m) => {
      // The IS NULL guard: of concurrent revocations exactly one writes the event.
      const res = await m.update(ApiKeyEntity, { id, revokedAt: IsNull() }, { revokedAt });
      if (!res.affected) return false;
      await appendEvent(this.outbox, m, event);
      return true;
    });
    if (revoked) this.outbox.wake();
    return revoked;
  }

  withPlatformKeys<T>(fn: (tx: PlatformKeysTx) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (m) => {
      if (dialectOf(this.ds) === 'postgres') await m.query('SELECT pg_advisory_xact_lock($1)', [PLATFORM_KEYS_LOCK]);
      return fn(platformKeysTx(m));
    });
  }
}

function platformKeysTx(m: EntityManager): PlatformKeysTx {
  return {
    active: () => m.find(ApiKeyEntity, { where: { kind: 'platform', revokedAt: IsNull() }, order: { id: 'ASC' } }),
    findByHash: (hash) => m.findOneBy(ApiKeyEntity, { keyHash: hash }),
    insert: async (key) => {
      await m.insert(ApiKeyEntity, key);
    },
    setRevokedAt: async (ids, revokedAt) => {
      if (ids.length) await m.update(ApiKeyEntity, { id: In(ids) }, { revokedAt });
    },
  };
}
