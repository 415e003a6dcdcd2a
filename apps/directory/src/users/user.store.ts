import { Inject, Injectable } from '@nestjs/common';
import { isUniqueViolation, uniqueViolationTarget } from '@keyline/platform-persistence';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { UserEntity, UserUniqueValueEntity } from './user.entity';

/** The identifier or unique attribute a write collided on: `email`, `phoneNumber`, `username`, `attributes.<name>`. */
export type UniqueField = string;

export type UserWriteResult = { ok: true } | { ok: false; conflict: UniqueField } | { ok: false; stale: true };

export interface UniqueChanges {
  /** Attributes whose index rows are dropped (their value changed or went away). */
  remove: string[];
  add: UserUniqueValueEntity[];
}

/** Work that must commit with a user write (e.g. group memberships dropped on deletion). */
export type InTransaction = (m: EntityManager) => Promise<void>;

/** JSON columns are typed as records, which TypeORM's deep-partial insert type cannot express. */
type Row = Parameters<EntityManager['insert']>[1];
type Changes = Parameters<EntityManager['update']>[2];

class Conflict extends Error {
  constructor(readonly field: UniqueField) {
    super(`unique ${field}`);
  }
}

class Stale extends Error {}

function conflictOf(err: unknown): UniqueField {
  const target = uniqueViolationTarget(err);
  if (/phone/i.test(target)) return 'phoneNumber';
  if (/username/i.test(target)) return 'username';
  return 'email';
}

/** User persistence. Each write commits the row, its unique values and its events together, or nothing. */
export abstract class UserStore {
  abstract create(user: UserEntity, unique: UserUniqueValueEntity[], events: DirectoryEvent[]): Promise<UserWriteResult>;
  abstract find(tenantId: string, id: string): Promise<UserEntity | null>;
  /** Writes `next` if the stored version is still `expectedVersion`. */
  abstract update(next: UserEntity, expectedVersion: number, unique: UniqueChanges, events: DirectoryEvent[], extra?: InTransaction): Promise<UserWriteResult>;
  abstract query(tenantId: string): SelectQueryBuilder<UserEntity>;
  readonly abstract dialect: 'postgres' | 'sqlite';
}

@Injectable()
export class TypeOrmUserStore extends UserStore {
  readonly dialect: 'postgres' | 'sqlite';

  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
    this.dialect = ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  async create(user: UserEntity, unique: UserUniqueValueEntity[], events: DirectoryEvent[]): Promise<UserWriteResult> {
    return this.write(async (m) => {
      try {
        await m.insert(UserEntity, user as Row);
      } catch (err) {
        // The unique indexes decide, so of two concurrent creates with one email exactly one wins.
        if (isUniqueViolation(err)) throw new Conflict(conflictOf(err));
        throw err;
      }
      await this.insertUnique(m, unique);
      for (const e of events) await appendEvent(this.outbox, m, e);
    });
  }

  find(tenantId: string, id: string): Promise<UserEntity | null> {
    return this.ds.getRepository(UserEntity).findOneBy({ tenantId, id });
  }

  async update(next: UserEntity, expectedVersion: number, unique: UniqueChanges, events: DirectoryEvent[], extra?: InTransaction): Promise<UserWriteResult> {
    return this.write(async (m) => {
      const { id, tenantId, createdAt: _createdAt, ...changes } = next;
      let affected: number | undefined;
      try {
        affected = (await m.update(UserEntity, { tenantId, id, version: expectedVersion }, changes as Changes)).affected;
      } catch (err) {
        if (isUniqueViolation(err)) throw new Conflict(conflictOf(err));
        throw err;
      }
      if (!affected) throw new Stale();
      if (unique.remove.length) await m.delete(UserUniqueValueEntity, { tenantId, userId: id, attribute: In(unique.remove) });
      await this.insertUnique(m, unique.add);
      if (extra) await extra(m);
      for (const e of events) await appendEvent(this.outbox, m, e);
    });
  }

  query(tenantId: string): SelectQueryBuilder<UserEntity> {
    return this.ds.getRepository(UserEntity).createQueryBuilder('u').where('u.tenantId = :tenantId', { tenantId });
  }

  private async insertUnique(m: EntityManager, rows: UserUniqueValueEntity[]): Promise<void> {
    for (const row of rows) {
      try {
        await m.insert(UserUniqueValueEntity, row);
      } catch (err) {
        if (isUniqueViolation(err)) throw new Conflict(`attributes.${row.attribute}`);
        throw err;
      }
    }
  }

  private async write(work: (m: EntityManager) => Promise<void>): Promise<UserWriteResult> {
    try {
      await this.ds.transaction(work);
    } catch (err) {
      if (err instanceof Conflict) return { ok: false, conflict: err.field };
      if (err instanceof Stale) return { ok: false, stale: true };
      throw err;
    }
    this.outbox.wake();
    return { ok: true };
  }
}
