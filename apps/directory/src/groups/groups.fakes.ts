import type { UserStatus } from '@keyline/directory-contracts';
import type { DirectoryEvent } from '../core/directory-event';
import { newId } from '../core/ids';
import { RoleAssignmentEntity, RoleEntity } from '../roles/role.entity';
import { GroupEntity, GroupMemberEntity } from './group.entity';
import { GroupChanges, GroupMemberView, GroupSearch, GroupStore, GroupsTx } from './group.store';
import { nameKeyOf } from './names';
import { NameTakenError } from './store-support';

/** Typed in-memory stand-ins for group and role persistence, for unit tests. */

export interface FakeUser {
  id: string;
  tenantId: string;
  status: UserStatus;
  email: string | null;
  username: string | null;
  displayName: string | null;
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
export const copyGroup = (g: GroupEntity): GroupEntity => Object.assign(new GroupEntity(), g);
export const copyRole = (r: RoleEntity): RoleEntity => Object.assign(new RoleEntity(), r, { permissions: [...r.permissions] });

/** The tables groups and roles touch, shared by their fake stores; a failed transaction rolls back. */
export class InMemoryDirectory {
  users = new Map<string, FakeUser>();
  groups = new Map<string, GroupEntity>();
  /** By `groupId:userId`. */
  members = new Map<string, GroupMemberEntity>();
  roles = new Map<string, RoleEntity>();
  /** By `roleId:subjectType:subjectId`. */
  assignments = new Map<string, RoleAssignmentEntity>();
  events: DirectoryEvent[] = [];

  addUser(tenantId: string, fields: Partial<Omit<FakeUser, 'tenantId'>> = {}): string {
    const id = fields.id ?? newId();
    this.users.set(id, { id, tenantId, status: 'active', email: `${id.slice(-6)}@example.com`, username: null, displayName: null, ...fields });
    return id;
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const snapshot = {
      groups: new Map([...this.groups].map(([k, g]) => [k, copyGroup(g)])),
      members: new Map(this.members),
      roles: new Map([...this.roles].map(([k, r]) => [k, copyRole(r)])),
      assignments: new Map(this.assignments),
      events: [...this.events],
    };
    try {
      return await fn();
    } catch (err) {
      Object.assign(this, snapshot);
      throw err;
    }
  }

  activeUser(tenantId: string, id: string): boolean {
    const u = this.users.get(id);
    return !!u && u.tenantId === tenantId && u.status !== 'deleted';
  }

  group(tenantId: string, id: string): GroupEntity | undefined {
    const g = this.groups.get(id);
    return g && g.tenantId === tenantId ? g : undefined;
  }

  groupMembers(groupId: string): GroupMemberEntity[] {
    return [...this.members.values()].filter((m) => m.groupId === groupId);
  }

  nameTaken<T extends { id: string; tenantId: string; nameKey: string }>(rows: Map<string, T>, row: T): boolean {
    return [...rows.values()].some((r) => r.id !== row.id && r.tenantId === row.tenantId && r.nameKey === row.nameKey);
  }

  eventsOf(type: DirectoryEvent['type']): DirectoryEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

export class FakeGroupStore extends GroupStore {
  constructor(readonly db = new InMemoryDirectory()) {
    super();
  }

  transaction<T>(fn: (tx: GroupsTx) => Promise<T>): Promise<T> {
    const db = this.db;
    const tx: GroupsTx = {
      insertGroup: async (group) => {
        if (db.nameTaken(db.groups, group)) throw new NameTakenError();
        db.groups.set(group.id, copyGroup(group));
      },
      lockGroup: async (tenantId, id) => {
        const g = db.group(tenantId, id);
        return g ? copyGroup(g) : null;
      },
      updateGroup: async (tenantId, id, changes: GroupChanges) => {
        const g = db.group(tenantId, id);
        if (!g) return;
        if (db.nameTaken(db.groups, { ...g, ...changes })) throw new NameTakenError();
        Object.assign(g, changes);
      },
      deleteGroup: async (tenantId, id) => {
        for (const [k, m] of db.members) if (m.tenantId === tenantId && m.groupId === id) db.members.delete(k);
        for (const [k, a] of db.assignments) if (a.tenantId === tenantId && a.subjectType === 'group' && a.subjectId === id) db.assignments.delete(k);
        if (db.group(tenantId, id)) db.groups.delete(id);
      },
      lockActiveUsers: async (tenantId, userIds) => new Set(userIds.filter((u) => db.activeUser(tenantId, u))),
      allMemberIds: async (tenantId, groupId) => db.groupMembers(groupId).filter((m) => m.tenantId === tenantId).map((m) => m.userId),
      memberIds: async (tenantId, groupId, userIds) => new Set(userIds.filter((u) => db.members.get(`${groupId}:${u}`)?.tenantId === tenantId)),
      insertMembers: async (rows) => {
        for (const r of rows) {
          if (db.members.has(`${r.groupId}:${r.userId}`)) throw new Error('duplicate membership');
          db.members.set(`${r.groupId}:${r.userId}`, { ...r });
        }
      },
      deleteMembers: async (tenantId, groupId, userIds) => {
        let n = 0;
        for (const u of userIds) if (db.members.get(`${groupId}:${u}`)?.tenantId === tenantId && db.members.delete(`${groupId}:${u}`)) n++;
        return n;
      },
      append: async (event) => {
        db.events.push(event);
      },
    };
    return db.transaction(() => fn(tx));
  }

  async find(tenantId: string, id: string) {
    const g = this.db.group(tenantId, id);
    return g ? copyGroup(g) : null;
  }

  async page(tenantId: string, q: { after?: string; take: number; namePrefix?: string }) {
    return [...this.db.groups.values()]
      .filter((g) => g.tenantId === tenantId && (!q.after || g.id > q.after) && (!q.namePrefix || g.nameKey.startsWith(nameKeyOf(q.namePrefix))))
      .sort(byKey((g) => g.id))
      .slice(0, q.take)
      .map(copyGroup);
  }

  async pageMembers(tenantId: string, groupId: string, after: string | undefined, take: number): Promise<GroupMemberView[]> {
    return this.db
      .groupMembers(groupId)
      .filter((m) => m.tenantId === tenantId && this.db.activeUser(tenantId, m.userId) && (!after || m.userId > after))
      .sort(byKey((m) => m.userId))
      .slice(0, take)
      .map((m) => this.view(m));
  }

  /** Sorts and pages like the real store; SQL conditions (`where`) need a real database. */
  async search(tenantId: string, q: GroupSearch): Promise<{ total: number; items: GroupEntity[] }> {
    if (q.where) throw new Error('FakeGroupStore.search cannot evaluate SQL conditions');
    const key = (g: GroupEntity): string | number =>
      q.sortBy === 'name' ? g.nameKey : q.sortBy === 'externalId' ? (g.externalId ?? '') : q.sortBy === 'id' ? g.id : g[q.sortBy].getTime();
    const all = [...this.db.groups.values()]
      .filter((g) => g.tenantId === tenantId)
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (q.descending) all.reverse();
    return { total: all.length, items: q.limit > 0 ? all.slice(q.offset, q.offset + q.limit).map(copyGroup) : [] };
  }

  async membersOfGroups(tenantId: string, groupIds: string[]): Promise<Map<string, GroupMemberView[]>> {
    const out = new Map<string, GroupMemberView[]>();
    for (const groupId of new Set(groupIds)) {
      const views = this.db
        .groupMembers(groupId)
        .filter((m) => m.tenantId === tenantId && this.db.activeUser(tenantId, m.userId))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.userId < b.userId ? -1 : 1))
        .map((m) => this.view(m));
      if (views.length) out.set(groupId, views);
    }
    return out;
  }

  private view(m: GroupMemberEntity): GroupMemberView {
    const u = this.db.users.get(m.userId)!;
    return { userId: m.userId, email: u.email, username: u.username, displayName: u.displayName, status: u.status, addedAt: m.createdAt };
  }

  async pageOfUser(tenantId: string, userId: string, after: string | undefined, take: number) {
    const ids = new Set([...this.db.members.values()].filter((m) => m.tenantId === tenantId && m.userId === userId).map((m) => m.groupId));
    return [...this.db.groups.values()]
      .filter((g) => g.tenantId === tenantId && ids.has(g.id) && (!after || g.id > after))
      .sort(byKey((g) => g.id))
      .slice(0, take)
      .map(copyGroup);
  }

  async userExists(tenantId: string, userId: string) {
    return this.db.activeUser(tenantId, userId);
  }
}
