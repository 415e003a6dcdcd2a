import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimGroupsService } from './scim-groups.service';

/** `/scim/v2/Groups`; exports its service for SCIM Bulk. */
@Module({
  imports: [GroupsModule],
  controllers: [ScimGroupsController],
  providers: [ScimGroupsService],
  exports: [ScimGroupsService],
})
export class ScimGroupsModule {}
