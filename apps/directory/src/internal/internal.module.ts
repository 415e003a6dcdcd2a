import { Module } from '@nestjs/common';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { DirectoryInternalController } from './internal.controller';

/** The directory's internal API for other services (see `DirectoryInternalPaths`). */
@Module({
  imports: [TenantsModule, UsersModule, ProfileSchemaModule],
  controllers: [DirectoryInternalController],
})
export class DirectoryInternalModule {}
