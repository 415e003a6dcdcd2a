import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Clock } from '../core/clock';
import { RoleAssignmentEntity } from '../roles/role.entity';
import { GroupEntity, GroupMemberEntity } from './group.entity';

/** What the users feature needs of groups and roles when a user goes away. */
@Injectable()
export class GroupMembership {
  constructor(private readonly clock: Clock) {}

  /**
   * Inside the caller's transaction (the one deleting the user, after it changed the user row):
   * removes the user from every group, bumping those groups' versions (their SCIM ETags), and removes
   * the roles assigned to the user directly. It emits no event per group: `user.deleted` implies these.
   * Returns the ids of the groups the user was removed from.
   */
  async removeUserEverywhere(m: EntityManager, tenantId: string, userId: string): Promise<string[]> {
    const memberships = await m.find(GroupMemberEntity, { select: { groupId: true }, where: { tenantId, userId }, order: { groupId: 'ASC' } });
    const groupIds = memberships.map((r) => r.groupId);
    if (groupIds.length) {
      await m
        .createQueryBuilder()
        .update(GroupEntity)
        .set({ version: () => '"version" + 1', updatedAt: this.clock.now() })
        .where({ tenantId, id: In(groupIds) })
        .execute();
      await m.delete(GroupMemberEntity, { tenantId, userId });
    }
    await m.delete(RoleAssignmentEntity, { tenantId, subjectType: 'user', subjectId: userId });
    return groupIds;
  }

  /** The same, in the shape of the users feature's `UserDeletionHooks` (so it can be `useExisting`). */
  async onDelete(tenantId: string, userId: string, m: EntityManager): Promise<void> {
    await this.removeUserEverywhere(m, tenantId, userId);
  }
}
