import { Injectable } from '@nestjs/common';
import type { GroupData } from '@keyline/directory-contracts';
import { PlatformErrorCode, PlatformException, Principal, actorOf } from '@keyline/platform-http';
import type { EventMeta } from '@keyline/platform-messaging';
import { Clock } from '../core/clock';
import { newId } from '../core/ids';
import { Page, decodeCursor, encodeCursor, toPage } from '@keyline/platform-http';
import { GroupEntity } from './group.entity';
import { GroupChanges, GroupMemberView, GroupSearch, GroupStore, GroupsTx } from './group.store';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { groupNotFound, userNotFound } from './groups.exception';
import { canonicalId, descriptionOf, nameKeyOf } from './names';
import { NameTakenError } from './store-support';

export interface GroupCreate {
  name: string;
  description?: string | null;
}

/** A merge patch: absent fields stay, a `null` description clears it. */
export interface GroupUpdate {
  name?: string;
  description?: string | null;
}

/** What a group is to become as a whole: a SCIM POST, PUT, or the result of a PATCH. */
export interface GroupReplacement {
  name: string;
  externalId: string | null;
  memberIds: string[];
}

export interface GroupReplaced {
  group: GroupEntity;
  created: boolean;
  /** False when the group already was as asked: nothing was written. */
  changed: boolean;
}

export interface PageQuery {
  limit: number;
  cursor?: string;
}

export function groupData(g: GroupEntity): GroupData {
  return { id: g.id, tenantId: g.tenantId, name: g.name, description: g.description };
}

export function eventMeta(caller: Principal, tenantId: string, subject: string, occurredAt: Date): EventMeta {
  return { tenantId, actor: actorOf(caller), subject, occurredAt };
}

const preconditionFailed = (group: GroupEntity) =>
  new DirectoryException(DirectoryErrorCode.PreconditionFailed, `The group is at version W/"${group.version}"; read it again and retry`);

const nameTaken = (name: string) =>
  new DirectoryException(DirectoryErrorCode.GroupNameTaken, `The tenant already has a group named ${name}`, [{ field: 'name', message: 'name is already taken' }]);

/** Groups of a tenant and their members. Every change commits together with its event. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly store: GroupStore,
    private readonly clock: Clock,
  ) {}

  /** Creates a group; of concurrent creations of one name (in any case) exactly one succeeds. */
  async create(caller: Principal, tenantId: string, input: GroupCreate): Promise<GroupEntity> {
    const now = this.clock.now();
    const group = Object.assign(new GroupEntity(), {
      id: newId(),
      tenantId,
      name: input.name,
      nameKey: nameKeyOf(input.name),
      description: descriptionOf(input.description),
      externalId: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    } satisfies GroupEntity);
    await this.named(input.name, () =>
      this.store.transaction(async (tx) => {
        await tx.insertGroup(group);
        await tx.append({ type: 'group.created', meta: eventMeta(caller, tenantId, group.id, now), data: groupData(group) });
      }),
    );
    return group;
  }

  /** The tenant's groups in creation order, optionally those whose name starts with `q` (any case). */
  async list(tenantId: string, query: PageQuery & { q?: string }): Promise<Page<GroupEntity>> {
    const rows = await this.store.page(tenantId, { after: decodeCursor(query.cursor), take: query.limit + 1, namePrefix: query.q || undefined });
    return toPage(rows, query.limit);
  }

  async get(tenantId: string, id: string): Promise<GroupEntity> {
    const groupId = canonicalId(id);
    const group = groupId ? await this.store.find(tenantId, groupId) : null;
    if (!group) throw groupNotFound(id);
    return group;
  }

  /** Applies a merge patch; a patch that changes nothing writes nothing and emits nothing. */
  async update(caller: Principal, tenantId: string, id: string, patch: GroupUpdate): Promise<GroupEntity> {
    const groupId = this.groupIdOf(id);
    return this.named(patch.name ?? '', () =>
      this.store.transaction(async (tx) => {
        const group = await tx.lockGroup(tenantId, groupId);
        if (!group) throw groupNotFound(id);
        const changes: GroupChanges = {};
        if (patch.name !== undefined && patch.name !== group.name) {
          changes.name = patch.name;
          if (nameKeyOf(patch.name) !== group.nameKey) changes.nameKey = nameKeyOf(patch.name);
        }
        if (patch.description !== undefined && descriptionOf(patch.description) !== group.description) {
          changes.description = descriptionOf(patch.description);
        }
        const changed = Object.keys(changes).filter((k) => k !== 'nameKey');
        if (!changed.length) return group;

        Object.assign(changes, { version: group.version + 1, updatedAt: this.clock.now() });
        await tx.updateGroup(tenantId, groupId, changes);
        const updated = Object.assign(new GroupEntity(), group, changes);
        await tx.append({
          type: 'group.updated',
          meta: eventMeta(caller, tenantId, groupId, updated.updatedAt),
          data: { ...groupData(updated), changes: changed },
        });
        return updated;
      }),
    );
  }

  /** Deletes a group with its memberships and role assignments; with `ifMatch`, only at that version (else 412). */
  async delete(caller: Principal, tenantId: string, id: string, ifMatch?: number): Promise<void> {
    const groupId = this.groupIdOf(id);
    await this.store.transaction(async (tx) => {
      const group = await tx.lockGroup(tenantId, groupId);
      if (!group) throw groupNotFound(id);
      if (ifMatch !== undefined && ifMatch !== group.version) throw preconditionFailed(group);
      await tx.deleteGroup(tenantId, groupId);
      await tx.append({ type: 'group.deleted', meta: eventMeta(caller, tenantId, groupId, this.clock.now()), data: groupData(group) });
    });
  }

  /** The group's members (users not deleted), ordered by user id. */
  async members(tenantId: string, id: string, query: PageQuery): Promise<Page<GroupMemberView>> {
    const group = await this.get(tenantId, id);
    const rows = await this.store.pageMembers(tenantId, group.id, decodeCursor(query.cursor), query.limit + 1);
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? encodeCursor(items[items.length - 1].userId) : null };
  }

  /**
   * Adds users to a group; users already in it are fine. If any id is not a user of the tenant (or a
   * deleted one), nothing is written and the answer names each such id. Returns the ids newly added.
   */
  async addMembers(caller: Principal, tenantId: string, id: string, userIds: string[]): Promise<{ group: GroupEntity; added: string[] }> {
    const group = await this.get(tenantId, id);
    const firstIndex = new Map<string, number>();
    userIds.forEach((u, i) => {
      const key = u.toLowerCase();
      if (!firstIndex.has(key)) firstIndex.set(key, i);
    });
    const ids = [...firstIndex.keys()];
    return this.store.transaction(async (tx) => {
      // Users first, then the group: the order user deletion locks them in, so the two cannot deadlock.
      const active = await tx.lockActiveUsers(tenantId, ids.filter((u) => canonicalId(u)));
      const unknown = ids.filter((u) => !active.has(u));
      if (unknown.length) {
        throw new PlatformException(
          PlatformErrorCode.ValidationFailed,
          `${unknown.length} of the users do not exist`,
          unknown.map((u) => ({ field: `userIds[${firstIndex.get(u)}]`, message: `no user ${u}` })),
        );
      }
      const locked = await tx.lockGroup(tenantId, group.id);
      if (!locked) throw groupNotFound(id);
      const present = await tx.memberIds(tenantId, group.id, ids);
      const added = ids.filter((u) => !present.has(u));
      if (!added.length) return { group: locked, added };

      const now = this.clock.now();
      await tx.insertMembers(added.map((userId) => ({ groupId: group.id, userId, tenantId, createdAt: now })));
      const changes = { version: locked.version + 1, updatedAt: now };
      await tx.updateGroup(tenantId, group.id, changes);
      await tx.append({ type: 'group.members-added', meta: eventMeta(caller, tenantId, group.id, now), data: { groupId: group.id, tenantId, userIds: added } });
      return { group: Object.assign(new GroupEntity(), locked, changes), added };
    });
  }

  /** Removes a user from a group; removing a non-member is fine and changes nothing. */
  async removeMember(caller: Principal, tenantId: string, id: string, userId: string): Promise<void> {
    const groupId = this.groupIdOf(id);
    const member = canonicalId(userId);
    await this.store.transaction(async (tx) => {
      const group = await tx.lockGroup(tenantId, groupId);
      if (!group) throw groupNotFound(id);
      if (!member || !(await tx.deleteMembers(tenantId, groupId, [member]))) return;
      const now = this.clock.now();
      await tx.updateGroup(tenantId, groupId, { version: group.version + 1, updatedAt: now });
      await tx.append({ type: 'group.members-removed', meta: eventMeta(caller, tenantId, groupId, now), data: { groupId, tenantId, userIds: [member] } });
    });
  }

  /**
   * Creates (without `id`) or overwrites a group's name, externalId and members in one transaction,
   * writing only what differs: membership rows added and removed, one version step, and the events
   * group.created / group.updated (naming the changed fields) / group.members-added / -removed.
   * Nothing is written when nothing differs. Any member id that is not an active user of the tenant
   * is a 400 naming each, and nothing is written. With `ifMatch`, another version is a 412.
   */
  async replace(caller: Principal, tenantId: string, id: string | undefined, desired: GroupReplacement, ifMatch?: number): Promise<GroupReplaced> {
    const groupId = id === undefined ? undefined : this.groupIdOf(id);
    const wanted = new Map<string, string>();
    for (const raw of desired.memberIds) {
      const key = canonicalId(raw) ?? raw;
      if (!wanted.has(key)) wanted.set(key, raw);
    }
    const ids = [...wanted.keys()];
    const unknownMembers = (unknown: string[]) =>
      new PlatformException(
        PlatformErrorCode.ValidationFailed,
        `${unknown.length} of the members are not users of the tenant`,
        unknown.slice(0, 20).map((u) => ({ field: 'members', message: `no user ${wanted.get(u)}` })),
      );
    return this.named(desired.name, () =>
      this.store.transaction(async (tx): Promise<GroupReplaced> => {
        if (groupId === undefined) {
          const active = await tx.lockActiveUsers(tenantId, ids.filter((u) => canonicalId(u)));
          const unknown = ids.filter((u) => !active.has(u));
          if (unknown.length) throw unknownMembers(unknown);
          return { group: await this.insertWithMembers(tx, caller, tenantId, desired, ids), created: true, changed: true };
        }

        // Users before the group, the order user deletion locks them in. Only users about to be added
        // need locking (and checking): present members are active, since deleting a user removes them.
        const before = new Set(await tx.allMemberIds(tenantId, groupId));
        const active = await tx.lockActiveUsers(tenantId, ids.filter((u) => !before.has(u) && canonicalId(u)));
        const group = await tx.lockGroup(tenantId, groupId);
        if (!group) throw groupNotFound(id!);
        if (ifMatch !== undefined && ifMatch !== group.version) throw preconditionFailed(group);
        const current = new Set(await tx.allMemberIds(tenantId, groupId));
        const added = ids.filter((u) => !current.has(u));
        // Members removed between the first read and the group lock were not locked above; rare, so late.
        const late = added.filter((u) => before.has(u) && !active.has(u));
        for (const u of await tx.lockActiveUsers(tenantId, late)) active.add(u);
        const unknown = added.filter((u) => !active.has(u));
        if (unknown.length) throw unknownMembers(unknown);
        const removed = [...current].filter((u) => !wanted.has(u));

        const changes: GroupChanges = {};
        if (desired.name !== group.name) {
          changes.name = desired.name;
          if (nameKeyOf(desired.name) !== group.nameKey) changes.nameKey = nameKeyOf(desired.name);
        }
        if (desired.externalId !== group.externalId) changes.externalId = desired.externalId;
        const changed = Object.keys(changes).filter((k) => k !== 'nameKey');
        if (!changed.length && !added.length && !removed.length) return { group, created: false, changed: false };

        const now = this.clock.now();
        Object.assign(changes, { version: group.version + 1, updatedAt: now });
        await tx.updateGroup(tenantId, groupId, changes);
        await tx.deleteMembers(tenantId, groupId, removed);
        await tx.insertMembers(added.map((userId) => ({ groupId, userId, tenantId, createdAt: now })));
        const updated = Object.assign(new GroupEntity(), group, changes);
        const meta = eventMeta(caller, tenantId, groupId, now);
        if (changed.length) await tx.append({ type: 'group.updated', meta, data: { ...groupData(updated), changes: changed } });
        if (added.length) await tx.append({ type: 'group.members-added', meta, data: { groupId, tenantId, userIds: added } });
        if (removed.length) await tx.append({ type: 'group.members-removed', meta, data: { groupId, tenantId, userIds: removed } });
        return { group: updated, created: false, changed: true };
      }),
    );
  }

  /** One page of the tenant's groups for an offset-paged search (SCIM lists). */
  search(tenantId: string, q: GroupSearch): Promise<{ total: number; items: GroupEntity[] }> {
    return this.store.search(tenantId, q);
  }

  /** The members (users not deleted) of each group, in the order they were added. */
  membersOfGroups(tenantId: string, groupIds: string[]): Promise<Map<string, GroupMemberView[]>> {
    return groupIds.length ? this.store.membersOfGroups(tenantId, groupIds) : Promise.resolve(new Map());
  }

  /** The groups a user (not deleted) belongs to, in creation order. */
  async groupsOfUser(tenantId: string, userId: string, query: PageQuery): Promise<Page<GroupEntity>> {
    const id = canonicalId(userId);
    if (!id || !(await this.store.userExists(tenantId, id))) throw userNotFound(userId);
    return toPage(await this.store.pageOfUser(tenantId, id, decodeCursor(query.cursor), query.limit + 1), query.limit);
  }

  private async insertWithMembers(tx: GroupsTx, caller: Principal, tenantId: string, desired: GroupReplacement, memberIds: string[]): Promise<GroupEntity> {
    const now = this.clock.now();
    const group = Object.assign(new GroupEntity(), {
      id: newId(),
      tenantId,
      name: desired.name,
      nameKey: nameKeyOf(desired.name),
      description: null,
      externalId: desired.externalId,
      version: 1,
      createdAt: now,
      updatedAt: now,
    } satisfies GroupEntity);
    await tx.insertGroup(group);
    await tx.insertMembers(memberIds.map((userId) => ({ groupId: group.id, userId, tenantId, createdAt: now })));
    const meta = eventMeta(caller, tenantId, group.id, now);
    await tx.append({ type: 'group.created', meta, data: groupData(group) });
    if (memberIds.length) await tx.append({ type: 'group.members-added', meta, data: { groupId: group.id, tenantId, userIds: memberIds } });
    return group;
  }

  private groupIdOf(id: string): string {
    const groupId = canonicalId(id);
    if (!groupId) throw groupNotFound(id);
    return groupId;
  }

  private async named<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof NameTakenError) throw nameTaken(name);
      throw err;
    }
  }
}
