import { Inject, Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@keyline/platform-persistence';
import { DataSource, EntityManager, In, MoreThan, Not } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { UserEntity, UserUniqueValueEntity } from '../users/user.entity';
import { ProfileSchemaEntity } from './profile-schema.entity';
import type { AttributeDefinition } from './profile-schema.types';
import { uniqueKeyOf } from './profile-schema.validator';

export type SchemaSaveResult = { ok: true } | { ok: false; reason: 'stale' } | { ok: false; reason: 'duplicate'; attribute: string };

const BACKFILL_BATCH = 1000;

/** Profile schemas, and the unique-value index that follows them. */
export abstract class ProfileSchemaStore {
  abstract get(tenantId: string, m?: EntityManager): Promise<ProfileSchemaEntity | null>;
  /**
   * Replaces the schema if its version is still `expectedVersion` (0: none yet). Attributes that
   * became unique are indexed from existing users in the same transaction (a duplicate aborts it);
   * attributes that stopped being unique leave the index.
   */
  abstract save(
    schema: ProfileSchemaEntity,
    expectedVersion: number,
    unique: { added: AttributeDefinition[]; removed: string[] },
    event: DirectoryEvent,
  ): Promise<SchemaSaveResult>;
}

class Duplicate extends Error {
  constructor(readonly attribute: string) {
    super(`duplicate values of ${attribute}`);
  }
}

@Injectable()
export class TypeOrmProfileSchemaStore extends ProfileSchemaStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  get(tenantId: string, m: EntityManager = this.ds.manager): Promise<ProfileSchemaEntity | null> {
    return m.findOneBy(ProfileSchemaEntity, { tenantId });
  }

  async save(
    schema: ProfileSchemaEntity,
    expectedVersion: number,
    unique: { added: AttributeDefinition[]; removed: string[] },
    event: DirectoryEvent,
  ): Promise<SchemaSaveResult> {
    try {
      const stale = await this.ds.transaction(async (m) => {
        if (expectedVersion === 0) {
          await m.insert(ProfileSchemaEntity, schema);
        } else {
          const res = await m.update(ProfileSchemaEntity, { tenantId: schema.tenantId, version: expectedVersion }, schema);
          if (!res.affected) return true;
        }
        if (unique.removed.length) {
          await m.delete(UserUniqueValueEntity, { tenantId: schema.tenantId, attribute: In(unique.removed) });
        }
        for (const def of unique.added) await this.backfill(m, schema.tenantId, def);
        await appendEvent(this.outbox, m, event);
        return false;
      });
      if (stale) return { ok: false, reason: 'stale' };
    } catch (err) {
      if (err instanceof Duplicate) return { ok: false, reason: 'duplicate', attribute: err.attribute };
      // Two first-time PUTs racing: the primary key lets one win; the other is stale.
      if (isUniqueViolation(err)) return { ok: false, reason: 'stale' };
      throw err;
    }
    this.outbox.wake();
    return { ok: true };
  }

  private async backfill(m: EntityManager, tenantId: string, def: AttributeDefinition): Promise<void> {
    await m.delete(UserUniqueValueEntity, { tenantId, attribute: def.name });
    let after: string | undefined;
    for (;;) {
      const users = await m.find(UserEntity, {
        select: { id: true, attributes: true },
        where: { tenantId, status: Not('deleted'), ...(after ? { id: MoreThan(after) } : {}) },
        order: { id: 'ASC' },
        take: BACKFILL_BATCH,
      });
      if (!users.length) return;
      const rows: UserUniqueValueEntity[] = [];
      const seen = new Set<string>();
      for (const u of users) {
        const key = uniqueKeyOf(def, u.attributes[def.name]);
        if (key === undefined) continue;
        if (seen.has(key)) throw new Duplicate(def.name);
        seen.add(key);
        rows.push({ tenantId, attribute: def.name, valueKey: key, userId: u.id });
      }
      try {
        if (rows.length) await m.insert(UserUniqueValueEntity, rows);
      } catch (err) {
        if (isUniqueViolation(err)) throw new Duplicate(def.name);
        throw err;
      }
      after = users[users.length - 1].id;
    }
  }
}
