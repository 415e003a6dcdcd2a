import { Injectable } from '@nestjs/common';
import type { RoleEntity } from './role.entity';
import { RoleSource, RoleStore } from './role.store';

/** A role a user has, once, with every reason the user has it. */
export interface EffectiveRole {
  role: RoleEntity;
  /** Direct assignment first, then the groups by name. */
  sources: RoleSource[];
}

/** The roles a user has, directly or through group membership (for the API and, later, token claims). */
@Injectable()
export class EffectiveRoles {
  constructor(private readonly store: RoleStore) {}

  /** Two queries whatever the number of roles and groups. Does not check that the user exists. */
  async forUser(tenantId: string, userId: string): Promise<EffectiveRole[]> {
    const rows = await this.store.sourcesOfUser(tenantId, userId);
    const sources = new Map<string, RoleSource[]>();
    for (const { roleId, source } of rows) {
      const list = sources.get(roleId) ?? [];
      if (!list.some((s) => sameSource(s, source))) list.push(source);
      sources.set(roleId, list);
    }
    const roles = await this.store.findMany(tenantId, [...sources.keys()]);
    return roles.map((role) => ({ role, sources: sources.get(role.id)!.sort(bySource) }));
  }
}

function sameSource(a: RoleSource, b: RoleSource): boolean {
  return a.type === b.type && (a.type === 'direct' || a.groupId === (b as { groupId: string }).groupId);
}

function bySource(a: RoleSource, b: RoleSource): number {
  if (a.type !== b.type) return a.type === 'direct' ? -1 : 1;
  if (a.type === 'direct' || b.type === 'direct') return 0;
  return a.groupName.localeCompare(b.groupName) || (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0);
}
