import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId, actorOf } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { etagOf, ifMatchVersion } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { UserCreateDto, UserUpdateDto } from './dto/user-create.dto';
import { UserQueryDto } from './dto/user-query.dto';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto';
import { UsersService } from './users.service';

const IF_MATCH = { name: 'If-Match', required: false, description: 'Only if the user is still at this ETag (else 412)' };

@ApiTags('users')
@ApiBearerAuth('apiKey')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Create a user', description: 'At least one identifier (email, phoneNumber, username); identifiers are unique per tenant, case-insensitively.' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiProblems(400, 401, 403, 409)
  async create(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Body() body: UserCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const user = await this.users.create({ tenantId, actor: actorOf(caller) }, body);
    void reply.header('etag', etagOf(user.version)).header('location', `/v1/users/${user.id}`);
    return UserResponseDto.from(user);
  }

  @Get()
  @RequireScopes('users:read')
  @ApiOperation({ summary: 'Find users: exact identifier lookup, prefix search, status, group and attribute filters' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblems(400, 401, 403)
  async list(@TenantId() tenantId: string, @Query() query: UserQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(tenantId, query);
    return { items: page.items.map(UserResponseDto.from), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('users:read')
  @ApiOperation({ summary: 'Get a user' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(401, 403, 404)
  async get(@TenantId() tenantId: string, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<UserResponseDto> {
    const user = await this.users.get(tenantId, id);
    void reply.header('etag', etagOf(user.version));
    return UserResponseDto.from(user);
  }

  @Patch(':id')
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Change a user (JSON merge patch, RFC 7396: null clears a field or removes an attribute)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(400, 401, 403, 404, 409, 412)
  async update(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: UserUpdateDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserResponseDto> {
    const user = await this.users.update({ tenantId, actor: actorOf(caller) }, id, body, ifMatchVersion(ifMatch));
    void reply.header('etag', etagOf(user.version));
    return UserResponseDto.from(user);
  }

  @Delete(':id')
  @RequireScopes('users:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a user (soft: identifiers are released at once; erasure follows a privacy request)' })
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404, 412)
  async delete(@TenantId() tenantId: string, @Caller() caller: Principal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.users.delete({ tenantId, actor: actorOf(caller) }, id, ifMatchVersion(ifMatch));
  }
}
