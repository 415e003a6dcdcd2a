import { Inject, Injectable } from '@nestjs/common';
import type { UserStatus } from '@keyline/directory-contracts';
import { DataSource, EntityManager, In } from 'typeorm';
import { DIRECTORY_OUTBOX, type DirectoryOutbox } from '../core/core.tokens';
import { DirectoryEvent, appendEvent } from '../core/directory-event';
import { RoleAssignmentEntity } from '../roles/role.entity';
import { UserEntity } from '../users/user.entity';
import { GroupEntity, GroupMemberEntity } from './group.entity';
import { prefixPattern } from './names';
import { NameTakenError, locked, uniqueAs } from './store-support';

export type GroupChanges = Partial<Pick<GroupEntity, 'name' | 'nameKey' | 'description' | 'version' | 'updatedAt'>>;

/** A member as listed: the membership and who the user is. */
export interface GroupMemberView {
  userId: string;
  email: string | null;
  username: string | null;
  displayName: string | null;
  status: UserStatus;
  addedAt: Date;
}

/** Writes of one transaction; everything commits together (events included) or nothing does. */
export interface GroupsTx {
  /** Throws NameTakenError when the tenant has a group of that name. */
  insertGroup(group: GroupEntity): Promise<void>;
  /** The group, locked against concurrent writers until commit; null when it is not in the tenant. */
  lockGroup(tenantId: string, id: string): Promise<GroupEntity | null>;
  /** Throws NameTakenError when a new name is taken. */
  updateGroup(tenantId: string, id: string, changes: GroupChanges): Promise<void>;
  /** Deletes the group with its memberships and role assignments. */
  deleteGroup(tenantId: string, id: string): Promise<void>;
  /**
   * Of `userIds`, those of users of the tenant that are not deleted, locked until commit so that none
   * is deleted meanwhile. Lock users before groups: user deletion does it in that order too.
   */
  lockActiveUsers(tenantId: string, userIds: string[]): Promise<Set<string>>;
  /** Of `userIds`, those already members of the group. */
  memberIds(tenantId: string, groupId: string, userIds: string[]): Promise<Set<string>>;
  insertMembers(rows: GroupMemberEntity[]): Promise<void>;
  /** Removes these memberships; returns how many there were. */
  deleteMembers(tenantId: string, groupId: string, userIds: string[]): Promise<number>;
  append(event: DirectoryEvent): Promise<void>;
}

/** Group persistence. Every query is scoped to a tenant. */
export abstract class GroupStore {
  abstract transaction<T>(fn: (tx: GroupsTx) => Promise<T>): Promise<T>;
  abstract find(tenantId: string, id: string): Promise<GroupEntity | null>;
  /** Up to `take` groups with an id after `after` (and a name starting with `namePrefix`), in id order. */
  abstract page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }): Promise<GroupEntity[]>;
  /** Up to `take` members (not deleted) with a user id after `after`, in user id order. */
  abstract pageMembers(tenantId: string, groupId: string, after: string | undefined, take: number): Promise<GroupMemberView[]>;
  /** Up to `take` groups of a user with an id after `after`, in id order. */
  abstract pageOfUser(tenantId: string, userId: string, after: string | undefined, take: number): Promise<GroupEntity[]>;
  /** True for a user of the tenant that is not deleted. */
  abstract userExists(tenantId: string, userId: string): Promise<boolean>;
}

@Injectable()
export class TypeOrmGroupStore extends GroupStore {
  constructor(
    private readonly ds: DataSource,
    @Inject(DIRECTORY_OUTBOX) private readonly outbox: DirectoryOutbox,
  ) {
    super();
  }

  async transaction<T>(fn: (tx: GroupsTx) => Promise<T>): Promise<T> {
    let appended = false;
    const result = await this.ds.transaction((m) => fn(this.tx(m, () => (appended = true))));
    if (appended) this.outbox.wake();
    return result;
  }

  find(tenantId: string, id: string): Promise<GroupEntity | null> {
    return this.ds.getRepository(GroupEntity).findOneBy({ tenantId, id });
  }

  page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }): Promise<GroupEntity[]> {
    const qb = this.ds.getRepository(GroupEntity).createQueryBuilder('g').where('g.tenantId = :tenantId', { tenantId });
    if (q.after) qb.andWhere('g.id > :after', { after: q.after });
    if (q.namePrefix) qb.andWhere(`g.nameKey LIKE :prefix ESCAPE '\\'`, { prefix: prefixPattern(q.namePrefix) });
    return qb.orderBy('g.id', 'ASC').limit(q.take).getMany();
  }

  async pageMembers(tenantId: string, groupId: string, after: string | undefined, take: number): Promise<GroupMemberView[]> {
    const qb = this.ds
      .createQueryBuilder(GroupMemberEntity, 'gm')
      .innerJoin(UserEntity, 'u', 'u.id = gm.userId AND u.tenantId = gm.tenantId')
      .select('gm.userId', 'userId')
      .addSelect('gm.createdAt', 'addedAt')
      .addSelect('u.email', 'email')
      .addSelect('u.username', 'username')
      .addSelect('u.displayName', 'displayName')
      .addSelect('u.status', 'status')
      .where('gm.tenantId = :tenantId AND gm.groupId = :groupId', { tenantId, groupId })
      .andWhere(`u.status <> 'deleted'`);
    if (after) qb.andWhere('gm.userId > :after', { after });
    const rows = await qb.orderBy('gm.userId', 'ASC').limit(take).getRawMany<Omit<GroupMemberView, 'addedAt'> & { addedAt: string | number }>();
    return rows.map((r) => ({ ...r, addedAt: new Date(Number(r.addedAt)) }));
  }

  pageOfUser(tenantId: string, userId: string, after: string | undefined, take: number): Promise<GroupEntity[]> {
    const qb = this.ds
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .innerJoin(GroupMemberEntity, 'gm', 'gm.groupId = g.id AND gm.tenantId = g.tenantId')
      .where('g.tenantId = :tenantId AND gm.userId = :userId', { tenantId, userId });
    if (after) qb.andWhere('g.id > :after', { after });
    return qb.orderBy('g.id', 'ASC').limit(take).getMany();
  }

  async userExists(tenantId: string, userId: string): Promise<boolean> {
    return this.ds
      .createQueryBuilder(UserEntity, 'u')
      .where(`u.tenantId = :tenantId AND u.id = :userId AND u.status <> 'deleted'`, { tenantId, userId })
      .getExists();
  }

  private tx(m: EntityManager, onAppend: () => void): GroupsTx {
    return {
      insertGroup: async (group) => {
        await uniqueAs(m.insert(GroupEntity, group), () => new NameTakenError());
      },
      lockGroup: (tenantId, id) =>
        locked(m.createQueryBuilder(GroupEntity, 'g').where('g.tenantId = :tenantId AND g.id = :id', { tenantId, id }), 'update').getOne(),
      updateGroup: async (tenantId, id, changes) => {
        await uniqueAs(m.update(GroupEntity, { tenantId, id }, changes), () => new NameTakenError());
      },
      deleteGroup: async (tenantId, id) => {
        await m.delete(GroupMemberEntity, { tenantId, groupId: id });
        await m.delete(RoleAssignmentEntity, { tenantId, subjectType: 'group', subjectId: id });
        await m.delete(GroupEntity, { tenantId, id });
      },
      lockActiveUsers: async (tenantId, userIds) => {
        if (!userIds.length) return new Set();
        const qb = m
          .createQueryBuilder(UserEntity, 'u')
          .select('u.id', 'id')
          .where(`u.tenantId = :tenantId AND u.id IN (:...userIds) AND u.status <> 'deleted'`, { tenantId, userIds });
        const rows = await locked(qb, 'share').getRawMany<{ id: string }>();
        return new Set(rows.map((r) => r.id));
      },
      memberIds: async (tenantId, groupId, userIds) => {
        if (!userIds.length) return new Set();
        const rows = await m.find(GroupMemberEntity, { select: { userId: true }, where: { tenantId, groupId, userId: In(userIds) } });
        return new Set(rows.map((r) => r.userId));
      },
      insertMembers: async (rows) => {
        if (rows.length) await m.insert(GroupMemberEntity, rows);
      },
      deleteMembers: async (tenantId, groupId, userIds) => {
        if (!userIds.length) return 0;
        const res = await m.delete(GroupMemberEntity, { tenantId, groupId, userId: In(userIds) });
        return res.affected ?? 0;
      },
      append: async (event) => {
        await appendEvent(this.outbox, m, event);
        onAppend();
      },
    };
  }
}
