import { Inject, Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@keyline/platform-persistence';
import { DataSource, MoreThan } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { TenantEntity } from './tenant.entity';

export type TenantChanges = Partial<Pick<TenantEntity, 'name' | 'corsOrigins' | 'updatedAt'>>;

/** Tenant persistence. Each write commits the row and its event together, or neither. */
export abstract class TenantStore {
  /** Inserts a tenant; false (and nothing written) when its slug is taken. */
  abstract create(tenant: TenantEntity, event: DirectoryEvent): Promise<boolean>;
  abstract findBySlug(slug: string): Promise<TenantEntity | null>;
  abstract findById(id: string): Promise<TenantEntity | null>;
  /** Up to `take` tenants with an id after `after`, in id (creation) order. */
  abstract page(after: string | undefined, take: number): Promise<TenantEntity[]>;
  abstract update(id: string, changes: TenantChanges, event: DirectoryEvent): Promise<void>;
}

@Injectable()
export class TypeOrmTenantStore extends TenantStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  async create(tenant: TenantEntity, event: DirectoryEvent): Promise<boolean> {
    try {
      await this.ds.transaction(async (m) => {
        await m.insert(TenantEntity, tenant);
        await appendEvent(this.outbox, m, event);
      });
    } catch (err) {
      // The unique index decides, so two concurrent creations of one slug cannot both succeed.
      if (isUniqueViolation(err)) return false;
      throw err;
    }
    this.outbox.wake();
    return true;
  }

  findBySlug(slug: string): Promise<TenantEntity | null> {
    return this.ds.getRepository(TenantEntity).findOneBy({ slug });
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.ds.getRepository(TenantEntity).findOneBy({ id });
  }

  page(after: string | undefined, take: number): Promise<TenantEntity[]> {
    return this.ds.getRepository(TenantEntity).find({
      where: after ? { id: MoreThan(after) } : {},
      order: { id: 'ASC' },
      take,
    });
  }

  async update(id: string, changes: TenantChanges, event: DirectoryEvent): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.update(TenantEntity, { id }, changes);
      await appendEvent(this.outbox, m, event);
    });
    this.outbox.wake();
  }
}
