import { Module } from '@nestjs/common';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { UsersModule } from '../users/users.module';
import { ScimBulkController } from './scim-bulk.controller';
import { ScimBulkService } from './scim-bulk.service';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupsModule } from './scim-groups.module';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersService } from './scim-users.service';

/** SCIM 2.0 (RFC 7643/7644) at /scim/v2: discovery, Users, Groups and Bulk. */
@Module({
  imports: [UsersModule, ProfileSchemaModule, ScimGroupsModule],
  controllers: [ScimDiscoveryController, ScimUsersController, ScimBulkController],
  providers: [ScimUsersService, ScimBulkService],
})
export class ScimModule {}
