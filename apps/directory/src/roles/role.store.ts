import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { GroupEntity, GroupMemberEntity } from '../groups/group.entity';
import { prefixPattern } from '../groups/names';
import { AlreadyExistsError, NameTakenError, locked, uniqueAs } from '../groups/store-support';
import { UserEntity } from '../users/user.entity';
import { RoleAssignmentEntity, RoleEntity, RoleSubjectType } from './role.entity';

export type RoleChanges = Partial<Pick<RoleEntity, 'name' | 'nameKey' | 'description' | 'permissions' | 'version' | 'updatedAt'>>;

export interface AssignmentKey {
  tenantId: string;
  roleId: string;
  subjectType: RoleSubjectType;
  subjectId: string;
}

/** Why a user has a role: assigned to the user, or to a group the user is in. */
export type RoleSource = { type: 'direct' } | { type: 'group'; groupId: string; groupName: string };

/** Writes of one transaction; everything commits together (events included) or nothing does. */
export interface RolesTx {
  /** Throws NameTakenError when the tenant has a role of that name. */
  insertRole(role: RoleEntity): Promise<void>;
  /** The role, locked until commit (`share`: against changes; `update`: also against other writers). */
  lockRole(tenantId: string, id: string, mode: 'share' | 'update'): Promise<RoleEntity | null>;
  /** Throws NameTakenError when a new name is taken. */
  updateRole(tenantId: string, id: string, changes: RoleChanges): Promise<void>;
  /** Deletes the role with all its assignments. */
  deleteRole(tenantId: string, id: string): Promise<void>;
  /**
   * True when the subject exists in the tenant (a user: and is not deleted), locked until commit so it
   * is not deleted meanwhile. Lock the subject before the role.
   */
  lockSubject(tenantId: string, subjectType: RoleSubjectType, subjectId: string): Promise<boolean>;
  hasAssignment(key: AssignmentKey): Promise<boolean>;
  /** Throws AlreadyExistsError when the same assignment was just made concurrently. */
  insertAssignment(row: RoleAssignmentEntity): Promise<void>;
  /** False when there was no such assignment. */
  deleteAssignment(key: AssignmentKey): Promise<boolean>;
  append(event: DirectoryEvent): Promise<void>;
}

/** Role persistence. Every query is scoped to a tenant. */
export abstract class RoleStore {
  abstract transaction<T>(fn: (tx: RolesTx) => Promise<T>): Promise<T>;
  abstract find(tenantId: string, id: string): Promise<RoleEntity | null>;
  /** The roles of these ids that are in the tenant, in id order. */
  abstract findMany(tenantId: string, ids: string[]): Promise<RoleEntity[]>;
  /** Up to `take` roles with an id after `after` (and a name starting with `namePrefix`), in id order. */
  abstract page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }): Promise<RoleEntity[]>;
  /** Up to `take` roles assigned to the subject directly, with an id after `after`, in id order. */
  abstract pageOfSubject(tenantId: string, subjectType: RoleSubjectType, subjectId: string, after: string | undefined, take: number): Promise<RoleEntity[]>;
  /** True when the subject exists in the tenant (a user: and is not deleted). */
  abstract subjectExists(tenantId: string, subjectType: RoleSubjectType, subjectId: string): Promise<boolean>;
  /** Every role assignment that reaches the user, directly or through a group: one row per role and source. */
  abstract sourcesOfUser(tenantId: string, userId: string): Promise<{ roleId: string; source: RoleSource }[]>;
}

@Injectable()
export class TypeOrmRoleStore extends RoleStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  async transaction<T>(fn: (tx: RolesTx) => Promise<T>): Promise<T> {
    let appended = false;
    const result = await this.ds.transaction((m) => fn(this.tx(m, () => (appended = true))));
    if (appended) this.outbox.wake();
    return result;
  }

  find(tenantId: string, id: string): Promise<RoleEntity | null> {
    return this.ds.getRepository(RoleEntity).findOneBy({ tenantId, id });
  }

  async findMany(tenantId: string, ids: string[]): Promise<RoleEntity[]> {
    if (!ids.length) return [];
    return this.ds.getRepository(RoleEntity).find({ where: { tenantId, id: In(ids) }, order: { id: 'ASC' } });
  }

  page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }): Promise<RoleEntity[]> {
    const qb = this.ds.getRepository(RoleEntity).createQueryBuilder('r').where('r.tenantId = :tenantId', { tenantId });
    if (q.after) qb.andWhere('r.id > :after', { after: q.after });
    if (q.namePrefix) qb.andWhere(`r.nameKey LIKE :prefix ESCAPE '\\'`, { prefix: prefixPattern(q.namePrefix) });
    return qb.orderBy('r.id', 'ASC').limit(q.take).getMany();
  }

  pageOfSubject(tenantId: string, subjectType: RoleSubjectType, subjectId: string, after: string | undefined, take: number): Promise<RoleEntity[]> {
    const qb = this.ds
      .getRepository(RoleEntity)
      .createQueryBuilder('r')
      .innerJoin(RoleAssignmentEntity, 'a', 'a.roleId = r.id AND a.tenantId = r.tenantId')
      .where('r.tenantId = :tenantId AND a.subjectType = :subjectType AND a.subjectId = :subjectId', { tenantId, subjectType, subjectId });
    if (after) qb.andWhere('r.id > :after', { after });
    return qb.orderBy('r.id', 'ASC').limit(take).getMany();
  }

  subjectExists(tenantId: string, subjectType: RoleSubjectType, subjectId: string): Promise<boolean> {
    return subjectQuery(this.ds.manager, tenantId, subjectType, subjectId).getExists();
  }

  async sourcesOfUser(tenantId: string, userId: string): Promise<{ roleId: string; source: RoleSource }[]> {
    const qb = this.ds.createQueryBuilder(RoleAssignmentEntity, 'a');
    const groupsOfUser = qb
      .subQuery()
      .select('gm.groupId')
      .from(GroupMemberEntity, 'gm')
      .where('gm.tenantId = :tenantId AND gm.userId = :userId')
      .getQuery();
    const rows = await qb
      .leftJoin(GroupEntity, 'g', `a.subjectType = 'group' AND g.id = a.subjectId AND g.tenantId = a.tenantId`)
      .select('a.roleId', 'roleId')
      .addSelect('a.subjectType', 'subjectType')
      .addSelect('g.id', 'groupId')
      .addSelect('g.name', 'groupName')
      .where('a.tenantId = :tenantId', { tenantId, userId })
      .andWhere(`((a.subjectType = 'user' AND a.subjectId = :userId) OR (a.subjectType = 'group' AND a.subjectId IN ${groupsOfUser}))`)
      .getRawMany<{ roleId: string; subjectType: RoleSubjectType; groupId: string | null; groupName: string | null }>();
    return rows.flatMap((r): { roleId: string; source: RoleSource }[] => {
      if (r.subjectType === 'user') return [{ roleId: r.roleId, source: { type: 'direct' } }];
      return r.groupId ? [{ roleId: r.roleId, source: { type: 'group', groupId: r.groupId, groupName: r.groupName ?? '' } }] : [];
    });
  }

  private tx(m: EntityManager, onAppend: () => void): RolesTx {
    return {
      insertRole: async (role) => {
        await uniqueAs(m.insert(RoleEntity, role), () => new NameTakenError());
      },
      lockRole: (tenantId, id, mode) =>
        locked(m.createQueryBuilder(RoleEntity, 'r').where('r.tenantId = :tenantId AND r.id = :id', { tenantId, id }), mode).getOne(),
      updateRole: async (tenantId, id, changes) => {
        await uniqueAs(m.update(RoleEntity, { tenantId, id }, changes), () => new NameTakenError());
      },
      deleteRole: async (tenantId, id) => {
        await m.delete(RoleAssignmentEntity, { tenantId, roleId: id });
        await m.delete(RoleEntity, { tenantId, id });
      },
      lockSubject: async (tenantId, subjectType, subjectId) =>
        (await locked(subjectQuery(m, tenantId, subjectType, subjectId), 'share').getRawOne()) !== undefined,
      hasAssignment: (key) => m.existsBy(RoleAssignmentEntity, { ...key }),
      insertAssignment: async (row) => {
        await uniqueAs(m.insert(RoleAssignmentEntity, row), () => new AlreadyExistsError());
      },
      deleteAssignment: async (key) => ((await m.delete(RoleAssignmentEntity, { ...key })).affected ?? 0) > 0,
      append: async (event) => {
        await appendEvent(this.outbox, m, event);
        onAppend();
      },
    };
  }
}

/** Selects the subject's id when it exists in the tenant (a user: and is not deleted). */
function subjectQuery(m: EntityManager, tenantId: string, subjectType: RoleSubjectType, subjectId: string): SelectQueryBuilder<ObjectLiteral> {
  return subjectType === 'user'
    ? m.createQueryBuilder(UserEntity, 's').select('s.id', 'id').where(`s.tenantId = :tenantId AND s.id = :subjectId AND s.status <> 'deleted'`, { tenantId, subjectId })
    : m.createQueryBuilder(GroupEntity, 's').select('s.id', 'id').where('s.tenantId = :tenantId AND s.id = :subjectId', { tenantId, subjectId });
}
