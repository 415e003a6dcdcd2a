import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiKeyCache, RedisApiKeyCache } from './api-key.cache';
import { ApiKeyStore, TypeOrmApiKeyStore } from './api-key.store';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysInternalController } from './api-keys.internal.controller';
import { ApiKeysService } from './api-keys.service';
import { AdminKeyAnnouncer, PlatformKeyBootstrap } from './platform-key.bootstrap';

@Module({
  imports: [TenantsModule],
  controllers: [ApiKeysController, ApiKeysInternalController],
  providers: [
    ApiKeysService,
    PlatformKeyBootstrap,
    AdminKeyAnnouncer,
    { provide: ApiKeyStore, useClass: TypeOrmApiKeyStore },
    { provide: ApiKeyCache, useClass: RedisApiKeyCache },
  ],
})
export class ApiKeysModule {}
