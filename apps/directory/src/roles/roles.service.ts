import { Injectable } from '@nestjs/common';
import type { RoleData } from '@keyline/directory-contracts';
import type { Principal } from '@keyline/platform-http';
import { Clock } from '../core/clock';
import { newId } from '../core/ids';
import { Page, decodeCursor, toPage } from '@keyline/platform-http';
import { DirectoryErrorCode, DirectoryException } from '../core/directory.exception';
import { groupNotFound, roleNotFound, userNotFound } from '../groups/groups.exception';
import { PageQuery, eventMeta } from '../groups/groups.service';
import { canonicalId, descriptionOf, nameKeyOf } from '../groups/names';
import { AlreadyExistsError, NameTakenError } from '../groups/store-support';
import { EffectiveRole, EffectiveRoles } from './effective-roles.service';
import { normalizePermissions, samePermissions } from './permissions';
import { RoleEntity, RoleSubjectType } from './role.entity';
import { RoleChanges, RoleStore } from './role.store';

export interface RoleCreate {
  name: string;
  description?: string | null;
  permissions?: string[];
}

/** A merge patch: absent fields stay, a `null` description clears it. */
export interface RoleUpdate {
  name?: string;
  description?: string | null;
  permissions?: string[];
}

export function roleData(r: RoleEntity): RoleData {
  return { id: r.id, tenantId: r.tenantId, name: r.name, description: r.description, permissions: r.permissions };
}

const nameTaken = (name: string) =>
  new DirectoryException(DirectoryErrorCode.RoleNameTaken, `The tenant already has a role named ${name}`, [{ field: 'name', message: 'name is already taken' }]);

const subjectNotFound = (type: RoleSubjectType, id: string) => (type === 'user' ? userNotFound(id) : groupNotFound(id));

/** Roles of a tenant and their assignment to users and groups. Every change commits with its event. */
@Injectable()
export class RolesService {
  constructor(
    private readonly store: RoleStore,
    private readonly effective: EffectiveRoles,
    private readonly clock: Clock,
  ) {}

  /** Creates a role; of concurrent creations of one name (in any case) exactly one succeeds. */
  async create(caller: Principal, tenantId: string, input: RoleCreate): Promise<RoleEntity> {
    const now = this.clock.now();
    const role = Object.assign(new RoleEntity(), {
      id: newId(),
      tenantId,
      name: input.name,
      nameKey: nameKeyOf(input.name),
      description: descriptionOf(input.description),
      permissions: normalizePermissions(input.permissions ?? []),
      version: 1,
      createdAt: now,
      updatedAt: now,
    } satisfies RoleEntity);
    await this.named(input.name, () =>
      this.store.transaction(async (tx) => {
        await tx.insertRole(role);
        await tx.append({ type: 'role.created', meta: eventMeta(caller, tenantId, role.id, now), data: roleData(role) });
      }),
    );
    return role;
  }

  /** The tenant's roles in creation order, optionally those whose name starts with `q` (any case). */
  async list(tenantId: string, query: PageQuery & { q?: string }): Promise<Page<RoleEntity>> {
    const rows = await this.store.page(tenantId, { after: decodeCursor(query.cursor), take: query.limit + 1, namePrefix: query.q || undefined });
    return toPage(rows, query.limit);
  }

  async get(tenantId: string, id: string): Promise<RoleEntity> {
    const roleId = canonicalId(id);
    const role = roleId ? await this.store.find(tenantId, roleId) : null;
    if (!role) throw roleNotFound(id);
    return role;
  }

  /** Applies a merge patch; a patch that changes nothing writes nothing and emits nothing. */
  async update(caller: Principal, tenantId: string, id: string, patch: RoleUpdate): Promise<RoleEntity> {
    const roleId = this.idOf(id, roleNotFound);
    return this.named(patch.name ?? '', () =>
      this.store.transaction(async (tx) => {
        const role = await tx.lockRole(tenantId, roleId, 'update');
        if (!role) throw roleNotFound(id);
        const changes: RoleChanges = {};
        if (patch.name !== undefined && patch.name !== role.name) {
          changes.name = patch.name;
          if (nameKeyOf(patch.name) !== role.nameKey) changes.nameKey = nameKeyOf(patch.name);
        }
        if (patch.description !== undefined && descriptionOf(patch.description) !== role.description) {
          changes.description = descriptionOf(patch.description);
        }
        if (patch.permissions !== undefined) {
          const permissions = normalizePermissions(patch.permissions);
          if (!samePermissions(permissions, role.permissions)) changes.permissions = permissions;
        }
        const changed = Object.keys(changes).filter((k) => k !== 'nameKey');
        if (!changed.length) return role;

        Object.assign(changes, { version: role.version + 1, updatedAt: this.clock.now() });
        await tx.updateRole(tenantId, roleId, changes);
        const updated = Object.assign(new RoleEntity(), role, changes);
        await tx.append({ type: 'role.updated', meta: eventMeta(caller, tenantId, roleId, updated.updatedAt), data: { ...roleData(updated), changes: changed } });
        return updated;
      }),
    );
  }

  /** Deletes a role with all its assignments. */
  async delete(caller: Principal, tenantId: string, id: string): Promise<void> {
    const roleId = this.idOf(id, roleNotFound);
    await this.store.transaction(async (tx) => {
      const role = await tx.lockRole(tenantId, roleId, 'update');
      if (!role) throw roleNotFound(id);
      await tx.deleteRole(tenantId, roleId);
      await tx.append({ type: 'role.deleted', meta: eventMeta(caller, tenantId, roleId, this.clock.now()), data: roleData(role) });
    });
  }

  /** Gives the role to a user or group; giving it again is fine and changes nothing. */
  async assign(caller: Principal, tenantId: string, subjectType: RoleSubjectType, subjectId: string, roleId: string): Promise<void> {
    const key = { tenantId, subjectType, subjectId: this.idOf(subjectId, (i) => subjectNotFound(subjectType, i)), roleId: this.idOf(roleId, roleNotFound) };
    try {
      await this.store.transaction(async (tx) => {
        // Subject before role: the order deletions of users and groups lock them in.
        if (!(await tx.lockSubject(tenantId, subjectType, key.subjectId))) throw subjectNotFound(subjectType, subjectId);
        if (!(await tx.lockRole(tenantId, key.roleId, 'share'))) throw roleNotFound(roleId);
        if (await tx.hasAssignment(key)) return;
        const now = this.clock.now();
        await tx.insertAssignment({ ...key, createdAt: now });
        await tx.append({ type: 'role.assigned', meta: eventMeta(caller, tenantId, key.roleId, now), data: { ...key } });
      });
    } catch (err) {
      // A concurrent identical assignment won the race and wrote the event: the outcome is the same.
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  /** Takes the role from a user or group; taking it when not given is fine and changes nothing. */
  async unassign(caller: Principal, tenantId: string, subjectType: RoleSubjectType, subjectId: string, roleId: string): Promise<void> {
    const key = { tenantId, subjectType, subjectId: this.idOf(subjectId, (i) => subjectNotFound(subjectType, i)), roleId: this.idOf(roleId, roleNotFound) };
    await this.store.transaction(async (tx) => {
      if (!(await tx.lockSubject(tenantId, subjectType, key.subjectId))) throw subjectNotFound(subjectType, subjectId);
      if (!(await tx.lockRole(tenantId, key.roleId, 'share'))) throw roleNotFound(roleId);
      if (!(await tx.deleteAssignment(key))) return;
      await tx.append({ type: 'role.unassigned', meta: eventMeta(caller, tenantId, key.roleId, this.clock.now()), data: { ...key } });
    });
  }

  /** The roles assigned to a group directly, in creation order. */
  async rolesOfGroup(tenantId: string, groupId: string, query: PageQuery): Promise<Page<RoleEntity>> {
    const id = canonicalId(groupId);
    if (!id || !(await this.store.subjectExists(tenantId, 'group', id))) throw groupNotFound(groupId);
    return toPage(await this.store.pageOfSubject(tenantId, 'group', id, decodeCursor(query.cursor), query.limit + 1), query.limit);
  }

  /** A user's effective roles: direct and through groups, each once with its sources. */
  async rolesOfUser(tenantId: string, userId: string): Promise<EffectiveRole[]> {
    const id = canonicalId(userId);
    if (!id || !(await this.store.subjectExists(tenantId, 'user', id))) throw userNotFound(userId);
    return this.effective.forUser(tenantId, id);
  }

  private idOf(id: string, notFound: (id: string) => Error): string {
    const canonical = canonicalId(id);
    if (!canonical) throw notFound(id);
    return canonical;
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
