import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import { PageQueryDto } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { GroupCreateDto } from './dto/group-create.dto';
import { GroupMemberPageDto, GroupMemberResponseDto, GroupMembersAddDto, GroupMembersAddedDto } from './dto/group-members.dto';
import { GroupPageDto, GroupResponseDto } from './dto/group-response.dto';
import { GroupUpdateDto } from './dto/group-update.dto';
import { NamePageQueryDto } from './dto/name-page-query.dto';
import { GroupsService } from './groups.service';

/** Scopes of the groups and roles routes (`admin` implies both). */
export const READ_SCOPE = 'users:read';
export const WRITE_SCOPE = 'users:write';

@ApiTags('groups')
@ApiBearerAuth('apiKey')
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @RequireScopes(WRITE_SCOPE)
  @ApiOperation({ summary: 'Create a group' })
  @ApiCreatedResponse({ type: GroupResponseDto, description: 'The new group' })
  @ApiProblems(400, 401, 403, 409)
  async create(@Caller() caller: Principal, @TenantId() tenantId: string, @Body() body: GroupCreateDto): Promise<GroupResponseDto> {
    return GroupResponseDto.from(await this.groups.create(caller, tenantId, body));
  }

  @Get()
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'List groups, oldest first; `q` keeps those whose name starts with it' })
  @ApiOkResponse({ type: GroupPageDto, description: 'One page of groups' })
  @ApiProblems(400, 401, 403)
  async list(@TenantId() tenantId: string, @Query() query: NamePageQueryDto): Promise<GroupPageDto> {
    const page = await this.groups.list(tenantId, query);
    return { items: page.items.map(GroupResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'Get a group' })
  @ApiOkResponse({ type: GroupResponseDto, description: 'The group' })
  @ApiProblems(401, 403, 404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<GroupResponseDto> {
    return GroupResponseDto.from(await this.groups.get(tenantId, id));
  }

  @Patch(':id')
  @RequireScopes(WRITE_SCOPE)
  @ApiOperation({ summary: 'Change a group (JSON merge patch; `description: null` removes it)' })
  @ApiOkResponse({ type: GroupResponseDto, description: 'The group as changed' })
  @ApiProblems(400, 401, 403, 404, 409)
  async update(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Body() body: GroupUpdateDto): Promise<GroupResponseDto> {
    return GroupResponseDto.from(await this.groups.update(caller, tenantId, id, body));
  }

  @Delete(':id')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a group with its memberships and role assignments' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404)
  async delete(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.groups.delete(caller, tenantId, id);
  }

  @Get(':id/members')
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: "List a group's members, ordered by user id" })
  @ApiOkResponse({ type: GroupMemberPageDto, description: 'One page of members' })
  @ApiProblems(400, 401, 403, 404)
  async members(@TenantId() tenantId: string, @Param('id') id: string, @Query() query: PageQueryDto): Promise<GroupMemberPageDto> {
    const page = await this.groups.members(tenantId, id, query);
    return { items: page.items.map(GroupMemberResponseDto.from), nextCursor: page.nextCursor };
  }

  @Post(':id/members')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Add users to a group (members already in it are fine); unknown users: 400 and nothing is added' })
  @ApiOkResponse({ type: GroupMembersAddedDto, description: 'The users newly added' })
  @ApiProblems(400, 401, 403, 404)
  async addMembers(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Body() body: GroupMembersAddDto): Promise<GroupMembersAddedDto> {
    const { added } = await this.groups.addMembers(caller, tenantId, id, body.userIds);
    return { added };
  }

  @Delete(':id/members/:userId')
  @RequireScopes(WRITE_SCOPE)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a user from a group; removing a non-member is fine' })
  @ApiNoContentResponse({ description: 'The user is not a member (any more)' })
  @ApiProblems(401, 403, 404)
  async removeMember(@Caller() caller: Principal, @TenantId() tenantId: string, @Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    await this.groups.removeMember(caller, tenantId, id, userId);
  }
}

@ApiTags('groups')
@ApiBearerAuth('apiKey')
@Controller('v1/users/:id/groups')
export class UserGroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @RequireScopes(READ_SCOPE)
  @ApiOperation({ summary: 'List the groups a user belongs to, oldest first' })
  @ApiOkResponse({ type: GroupPageDto, description: 'One page of groups' })
  @ApiProblems(400, 401, 403, 404)
  async list(@TenantId() tenantId: string, @Param('id') id: string, @Query() query: PageQueryDto): Promise<GroupPageDto> {
    const page = await this.groups.groupsOfUser(tenantId, id, query);
    return { items: page.items.map(GroupResponseDto.from), nextCursor: page.nextCursor };
  }
}
