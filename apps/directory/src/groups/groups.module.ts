import { Module } from '@nestjs/common';
import { GroupMembership } from './group-membership.service';
import { GroupStore, TypeOrmGroupStore } from './group.store';
import { GroupsController, UserGroupsController } from './groups.controller';
import { GroupsService } from './groups.service';

@Module({
  controllers: [GroupsController, UserGroupsController],
  providers: [GroupsService, GroupMembership, { provide: GroupStore, useClass: TypeOrmGroupStore }],
  exports: [GroupMembership, GroupsService],
})
export class GroupsModule {}
