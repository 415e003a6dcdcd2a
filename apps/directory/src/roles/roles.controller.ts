import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { NamePageQueryDto } from '../groups/dto/name-page-query.dto';
import { READ_SCOPE, WRITE_SCOPE } from '../groups/groups.controller';
import { RoleCreateDto } from './dto/role-create.dto';
import { RolePageDto, RoleResponseDto } from './dto/role-response.dto';
import { RoleUpdateDto } from './dto/role-update.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@ApiBearerAuth('apiKey')
@Controller('v1/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Post()
  @RequireScopes(WRITE_SCOPE)
  @ApiOperation({ summary: 'Create a role' })
  @ApiCreatedResponse({ type: RoleResponseDto, description: 'The new role' })
  @ApiProblems(400, 401, 403, 409)
  async create(@Caller() caller: Principal, @TenantId() tenantId: string, @Body() body: RoleCreateDto): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.create(caller, tenantId, body));
  }

  @Get()
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'List roles, oldest first; `q` keeps those whose name starts with it' })
  @ApiOkResponse({ type: RolePageDto, description: 'One page of roles' })
  @ApiProblems(400, 401, 403)
  async list(@TenantId() tenantId: string, @Query() query: NamePageQueryDto): Promise<RolePageDto> {
    const page = await this.roles.list(tenantId, query);
    return { items: page.items.map(RoleResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'Get a role' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The role' })
  @ApiProblems(401, 403, 404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.get(tenantId, id));
  }

  @Patch(':id')
  @RequireScopes(WRITE_SCOPE)
  @ApiOperation({ summary: 'Change a role (JSON merge patch; `description: null` removes it, `permissions` replaces them)' })
  @ApiOkResponse({ type: RoleResponseDto, description: 'The role as changed' })
  @ApiProblems(400, 401, 403, 404, 409)
  async update(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Body() body: RoleUpdateDto): Promise<RoleResponseDto> {
    return RoleResponseDto.from(await this.roles.update(caller, tenantId, id, body));
  }

  @Delete(':id')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a role with all its assignments' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404)
  async delete(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.roles.delete(caller, tenantId, id);
  }
}
