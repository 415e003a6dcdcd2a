import { Module } from '@nestjs/common';
import { RedisTenantCorsCache, TenantCorsCache } from './tenant-cors.cache';
import { TenantStore, TypeOrmTenantStore } from './tenant.store';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({
  controllers: [TenantsController],
  providers: [
    TenantsService,
    { provide: TenantStore, useClass: TypeOrmTenantStore },
    { provide: TenantCorsCache, useClass: RedisTenantCorsCache },
  ],
  exports: [TenantsService],
})
export class TenantsModule {}
