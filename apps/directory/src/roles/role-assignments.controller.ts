import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import { PageQueryDto } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { READ_SCOPE, WRITE_SCOPE } from '../groups/groups.controller';
import { EffectiveRoleDto, EffectiveRoleListDto, RolePageDto, RoleResponseDto } from './dto/role-response.dto';
import { RolesService } from './roles.service';

/** Roles of users and groups: `/v1/users/{id}/roles/...` and `/v1/groups/{id}/roles/...`. */
@ApiTags('roles')
@ApiBearerAuth('apiKey')
@Controller('v1')
export class RoleAssignmentsController {
  constructor(private readonly roles: RolesService) {}

  @Get('users/:id/roles')
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: "A user's effective roles: assigned directly or through groups, each once with its sources" })
  @ApiOkResponse({ type: EffectiveRoleListDto, description: 'Every role the user has' })
  @ApiProblems(401, 403, 404)
  async ofUser(@TenantId() tenantId: string, @Param('id') id: string): Promise<EffectiveRoleListDto> {
    return { items: (await this.roles.rolesOfUser(tenantId, id)).map(EffectiveRoleDto.from) };
  }

  @Put('users/:id/roles/:roleId')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Assign a role to a user; assigning it again is fine' })
  @ApiNoContentResponse({ description: 'The user has the role' })
  @ApiProblems(401, 403, 404)
  async assignToUser(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Param('roleId') roleId: string): Promise<void> {
    await this.roles.assign(caller, tenantId, 'user', id, roleId);
  }

  @Delete('users/:id/roles/:roleId')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Remove a user's direct assignment of a role; removing one that is not there is fine" })
  @ApiNoContentResponse({ description: 'The user has no direct assignment of the role' })
  @ApiProblems(401, 403, 404)
  async unassignFromUser(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Param('roleId') roleId: string): Promise<void> {
    await this.roles.unassign(caller, tenantId, 'user', id, roleId);
  }

  @Get('groups/:id/roles')
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'The roles assigned to a group, oldest first' })
  @ApiOkResponse({ type: RolePageDto, description: 'One page of roles' })
  @ApiProblems(400, 401, 403, 404)
  async ofGroup(@TenantId() tenantId: string, @Param('id') id: string, @Query() query: PageQueryDto): Promise<RolePageDto> {
    const page = await this.roles.rolesOfGroup(tenantId, id, query);
    return { items: page.items.map(RoleResponseDto.from), nextCursor: page.nextCursor };
  }

  @Put('groups/:id/roles/:roleId')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Assign a role to a group (and so to its members); assigning it again is fine' })
  @ApiNoContentResponse({ description: 'The group has the role' })
  @ApiProblems(401, 403, 404)
  async assignToGroup(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Param('roleId') roleId: string): Promise<void> {
    await this.roles.assign(caller, tenantId, 'group', id, roleId);
  }

  @Delete('groups/:id/roles/:roleId')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a role from a group; removing one that is not there is fine' })
  @ApiNoContentResponse({ description: 'The group does not have the role' })
  @ApiProblems(401, 403, 404)
  async unassignFromGroup(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Param('roleId') roleId: string): Promise<void> {
    await this.roles.unassign(caller, tenantId, 'group', id, roleId);
  }
}
