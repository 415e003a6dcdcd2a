import { Body, Controller, Delete, Get, Header, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId, actorOf } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { ifMatchVersion } from '@keyline/platform-http';
import { SCIM_CONTENT_TYPE, ScimExceptionFilter, projectAttributes } from './protocol';
import { sendResource } from './scim-http';
import type { ScimListQuery } from './scim-list';
import { ScimUsersService } from './scim-users.service';

type Json = Record<string, unknown>;

/** RFC 7644 Users; request and response bodies are the RFC 7643 resources described at /scim/v2/Schemas. */
@ApiTags('scim')
@ApiBearerAuth('apiKey')
@UseFilters(ScimExceptionFilter)
@RequireScopes('scim')
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  @ApiOperation({ summary: 'SCIM: List or filter users (RFC 7644 §3.4.2)' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  list(@TenantId() tenantId: string, @Query() query: ScimListQuery): Promise<Json> {
    return this.users.list(tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'SCIM: Get a user' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async get(@TenantId() tenantId: string, @Param('id') id: string, @Query() query: ScimListQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<Json> {
    const resource = sendResource(reply, await this.users.get(tenantId, id));
    return projectAttributes(resource, query);
  }

  @Post()
  @ApiOperation({ summary: 'SCIM: Create a user' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async create(@TenantId() tenantId: string, @Caller() caller: Principal, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Json> {
    return sendResource(reply, await this.users.create({ tenantId, actor: actorOf(caller) }, body), true);
  }

  @Put(':id')
  @ApiOperation({ summary: 'SCIM: Replace a user' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async replace(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Json> {
    return sendResource(reply, await this.users.replace({ tenantId, actor: actorOf(caller) }, id, body, ifMatchVersion(ifMatch)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'SCIM: Modify a user (RFC 7644 §3.5.2 PatchOp)' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async patch(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Json> {
    return sendResource(reply, await this.users.patch({ tenantId, actor: actorOf(caller) }, id, body, ifMatchVersion(ifMatch)));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'SCIM: Delete a user' })
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@TenantId() tenantId: string, @Caller() caller: Principal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.users.delete({ tenantId, actor: actorOf(caller) }, id, ifMatchVersion(ifMatch));
  }
}
