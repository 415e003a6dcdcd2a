import { Module } from '@nestjs/common';
import { DIRECTORY_CONFIG } from '../core/core.tokens';
import { ProfileSchemaModule } from '../profile-schema/profile-schema.module';
import { UserExportService } from './user-export.service';
import { ImportSpool } from './user-import.spool';
import { TypeOrmUserImportStore, UserImportStore } from './user-import.store';
import { UserImportJobEntity } from './user-import-job.entity';
import type { UserImportConfig } from './user-imports.config';
import { UserImportsController } from './user-imports.controller';
import { DirectoryUserImports1764400000000 } from './user-imports.migration';
import { UserImportsService } from './user-imports.service';

/** Entities and migrations of the feature, for the directory's PersistenceModule. */
export const userImportEntities = [UserImportJobEntity];
export const userImportMigrations = [DirectoryUserImports1764400000000];

/** Bulk user import (NDJSON upload processed in the background) and streamed export. */
@Module({
  imports: [ProfileSchemaModule],
  controllers: [UserImportsController],
  providers: [
    UserImportsService,
    UserExportService,
    { provide: UserImportStore, useClass: TypeOrmUserImportStore },
    { provide: ImportSpool, useFactory: (config: UserImportConfig) => new ImportSpool(config.importSpoolDir), inject: [DIRECTORY_CONFIG] },
  ],
})
export class UserImportsModule {}
