import { Module } from '@nestjs/common';
import { EffectiveRoles } from './effective-roles.service';
import { RoleAssignmentsController } from './role-assignments.controller';
import { RoleStore, TypeOrmRoleStore } from './role.store';
import { RolesController } from './roles.controller';
import { RolesService } from './roles.service';

@Module({
  controllers: [RolesController, RoleAssignmentsController],
  providers: [RolesService, EffectiveRoles, { provide: RoleStore, useClass: TypeOrmRoleStore }],
  exports: [EffectiveRoles],
})
export class RolesModule {}
