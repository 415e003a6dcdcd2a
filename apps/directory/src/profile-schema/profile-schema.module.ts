import { Module } from '@nestjs/common';
import { ProfileSchemaController } from './profile-schema.controller';
import { ProfileSchemaService } from './profile-schema.service';
import { ProfileSchemaStore, TypeOrmProfileSchemaStore } from './profile-schema.store';

@Module({
  controllers: [ProfileSchemaController],
  providers: [ProfileSchemaService, { provide: ProfileSchemaStore, useClass: TypeOrmProfileSchemaStore }],
  exports: [ProfileSchemaService],
})
export class ProfileSchemaModule {}
