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

export type GroupChanges = Partial<Pick<GroupEntity, 'name' | 'nameKey' | 'description' | 'externalId' | 'version' | 'updatedAt'>>;

/** Keys a group search can order by. */
export type GroupSortKey = 'name' | 'externalId' | 'createdAt' | 'updatedAt' | 'id';

/** A WHERE fragment over the alias `g` (groups) with its named parameters, as a SCIM filter compiles to. */
export interface GroupCondition {
  sql: string;
  params: Record<string, unknown>;
}

/** An offset page of a tenant's groups (SCIM lists count from an index, not from a cursor). */
export interface GroupSearch {
  /** Built for the store's SQL dialect; trusted SQL (never client text), values only as parameters. */
  where?: (dialect: 'postgres' | 'sqlite') => GroupCondition;
  sortBy: GroupSortKey;
  descending: boolean;
  offset: number;
  /** 0 counts without reading any group. */
  limit: number;
}

/** Rows per statement when writing or reading by id lists, under every driver's bind-parameter limit. */
export const ID_CHUNK = 1000;

export function chunks<T>(items: T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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
  /** Every member id of the group, in no particular order. */
  allMemberIds(tenantId: string, groupId: string): Promise<string[]>;
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
  /** One page of the groups matching `where`, ordered by `sortBy` then id, and how many match in all. */
  abstract search(tenantId: string, q: GroupSearch): Promise<{ total: number; items: GroupEntity[] }>;
  /** The members (not deleted) of each group, in the order they were added; groups without members are absent. */
  abstract membersOfGroups(tenantId: string, groupIds: string[]): Promise<Map<string, GroupMemberView[]>>;
}

const SORT_COLUMNS: Record<GroupSortKey, string> = { name: 'g.nameKey', externalId: 'g.externalId', createdAt: 'g.createdAt', updatedAt: 'g.updatedAt', id: 'g.id' };

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

  async search(tenantId: string, q: GroupSearch): Promise<{ total: number; items: GroupEntity[] }> {
    const qb = this.ds.getRepository(GroupEntity).createQueryBuilder('g').where('g.tenantId = :tenantId', { tenantId });
    if (q.where) {
      const { sql, params } = q.where(this.ds.options.type === 'postgres' ? 'postgres' : 'sqlite');
      qb.andWhere(`(${sql})`, params);
    }
    const total = await qb.clone().getCount();
    if (q.limit <= 0) return { total, items: [] };
    const order = q.descending ? 'DESC' : 'ASC';
    qb.orderBy(SORT_COLUMNS[q.sortBy], order);
    if (q.sortBy !== 'id') qb.addOrderBy('g.id', order);
    const items = await qb.offset(q.offset).limit(q.limit).getMany();
    return { total, items };
  }

  async membersOfGroups(tenantId: string, groupIds: string[]): Promise<Map<string, GroupMemberView[]>> {
    const out = new Map<string, GroupMemberView[]>();
    for (const ids of chunks([...new Set(groupIds)])) {
      const rows = await this.ds
        .createQueryBuilder(GroupMemberEntity, 'gm')
        .innerJoin(UserEntity, 'u', 'u.id = gm.userId AND u.tenantId = gm.tenantId')
        .select('gm.groupId', 'groupId')
        .addSelect('gm.userId', 'userId')
        .addSelect('gm.createdAt', 'addedAt')
        .addSelect('u.email', 'email')
        .addSelect('u.username', 'username')
        .addSelect('u.displayName', 'displayName')
        .addSelect('u.status', 'status')
        .where('gm.tenantId = :tenantId AND gm.groupId IN (:...ids)', { tenantId, ids })
        .andWhere(`u.status <> 'deleted'`)
        .orderBy('gm.createdAt', 'ASC')
        .addOrderBy('gm.userId', 'ASC')
        .getRawMany<Omit<GroupMemberView, 'addedAt'> & { groupId: string; addedAt: string | number }>();
      for (const { groupId, ...r } of rows) {
        const list = out.get(groupId) ?? [];
        list.push({ ...r, addedAt: new Date(Number(r.addedAt)) });
        out.set(groupId, list);
      }
    }
    return out;
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
        const found = new Set<string>();
        for (const ids of chunks(userIds)) {
          const qb = m
            .createQueryBuilder(UserEntity, 'u')
            .select('u.id', 'id')
            .where(`u.tenantId = :tenantId AND u.id IN (:...ids) AND u.status <> 'deleted'`, { tenantId, ids });
          for (const r of await locked(qb, 'share').getRawMany<{ id: string }>()) found.add(r.id);
        }
        return found;
      },
      allMemberIds: async (tenantId, groupId) => {
        const rows = await m.find(GroupMemberEntity, { select: { userId: true }, where: { tenantId, groupId } });
        return rows.map((r) => r.userId);
      },
      memberIds: async (tenantId, groupId, userIds) => {
        const found = new Set<string>();
        for (const ids of chunks(userIds)) {
          const rows = await m.find(GroupMemberEntity, { select: { userId: true }, where: { tenantId, groupId, userId: In(ids) } });
          for (const r of rows) found.add(r.userId);
        }
        return found;
      },
      insertMembers: async (rows) => {
        // Four parameters a row: 250 rows keep a statement far below SQLite's and Postgres' limits.
        for (const part of chunks(rows, ID_CHUNK / 4)) await m.insert(GroupMemberEntity, part);
      },
      deleteMembers: async (tenantId, groupId, userIds) => {
        let n = 0;
        for (const ids of chunks(userIds)) {
          const res = await m.delete(GroupMemberEntity, { tenantId, groupId, userId: In(ids) });
          n += res.affected ?? 0;
        }
        return n;
      },
      append: async (event) => {
        await appendEvent(this.outbox, m, event);
        onAppend();
      },
    };
  }
}
