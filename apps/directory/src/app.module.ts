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
import { WhoamiModule } from './whoami/whoami.module';

/** Tenants and API keys: the directory of who may call Keyline. */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof directoryConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'directory', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('directory', config, {
          entities: [TenantEntity, ApiKeyEntity, ...messagingEntities],
          migrations: [...messagingMigrations, DirectoryTenants1764100000000, DirectoryApiKeys1764100000001],
        }),
        RedisModule.forRoot(config.redisUrl, 'directory'),
        MessagingModule.forService('directory', config, { topics: Object.values(DirectoryTopics), relay: true }),
        CoreModule.forRoot(config),
        TenantsModule,
        ApiKeysModule,
        WhoamiModule,
      ],
    };
  }
}
