import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigOf } from '@keyline/platform-config';
import { DirectoryTopics } from '@keyline/directory-contracts';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule, RedisModule } from '@keyline/platform-persistence';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { DirectoryApiKeys1764100000001 } from './api-keys/api-keys.migration';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { directoryConfig } from './config';
import { CoreModule } from './core/core.module';
import { TenantEntity } from './tenants/tenant.entity';
import { DirectoryTenants1764100000000 } from './tenants/tenants.migration';
import { TenantsModule } from './tenants/tenants.module';
import { GroupEntity, GroupMemberEntity } from './groups/group.entity';
import { DirectoryGroups1764300000000 } from './groups/groups.migration';
import { GroupsModule } from './groups/groups.module';
import { RoleAssignmentEntity, RoleEntity } from './roles/role.entity';
import { DirectoryRoles1764300000001 } from './roles/roles.migration';
import { RolesModule } from './roles/roles.module';
import { ProfileSchemaEntity } from './profile-schema/profile-schema.entity';
import { DirectoryProfileSchemas1764200000001 } from './profile-schema/profile-schema.migration';
import { UserEntity, UserUniqueValueEntity } from './users/user.entity';
import { DirectoryUsers1764200000000 } from './users/users.migration';
import { UsersModule } from './users/users.module';
import { DirectoryInternalModule } from './internal/internal.module';
import { UserImportsModule, userImportEntities, userImportMigrations } from './user-imports/user-imports.module';
import { ScimModule } from './scim/scim.module';
import { WhoamiModule } from './whoami/whoami.module';

/** Tenants, API keys, users, their profile schema, groups and roles: who may call Keyline, and who its customers are. */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof directoryConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'directory', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('directory', config, {
          entities: [TenantEntity, ApiKeyEntity, UserEntity, UserUniqueValueEntity, ProfileSchemaEntity, GroupEntity, GroupMemberEntity, RoleEntity, RoleAssignmentEntity, ...userImportEntities, ...messagingEntities],
          migrations: [
            ...messagingMigrations,
            DirectoryTenants1764100000000,
            DirectoryApiKeys1764100000001,
            DirectoryUsers1764200000000,
            DirectoryProfileSchemas1764200000001,
            DirectoryGroups1764300000000,
            DirectoryRoles1764300000001,
            ...userImportMigrations,
          ],
        }),
        RedisModule.forRoot(config.redisUrl, 'directory'),
        MessagingModule.forService('directory', config, { topics: Object.values(DirectoryTopics), relay: true }),
        CoreModule.forRoot(config),
        TenantsModule,
        ApiKeysModule,
        WhoamiModule,
        UsersModule,
        GroupsModule,
        RolesModule,
        UserImportsModule,
        ScimModule,
        DirectoryInternalModule,
      ],
    };
  }
}
