import { Body, Controller, Delete, Get, Header, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { ifMatchVersion } from '@keyline/platform-http';
import { SCIM_CONTENT_TYPE, ScimExceptionFilter, projectAttributes } from './protocol';
import { sendResource } from './scim-http';
import type { ScimListQuery } from './scim-list';
import { ScimGroupsService, ScimProjection } from './scim-groups.service';

type Json = Record<string, unknown>;

/** RFC 7644 Groups, as Entra ID and Okta provision them; bodies are the RFC 7643 resources described at /scim/v2/Schemas. */
@ApiTags('scim')
@ApiBearerAuth('apiKey')
@UseFilters(ScimExceptionFilter)
@RequireScopes('scim')
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  @ApiOperation({ summary: 'SCIM: List or filter groups' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  list(@TenantId() tenantId: string, @Query() query: ScimListQuery): Promise<Json> {
    return this.groups.list(tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'SCIM: Get a group' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async get(@TenantId() tenantId: string, @Param('id') id: string, @Query() query: ScimProjection, @Res({ passthrough: true }) reply: FastifyReply): Promise<Json> {
    return projectAttributes(sendResource(reply, await this.groups.get(tenantId, id, query)), query);
  }

  @Post()
  @ApiOperation({ summary: 'SCIM: Create a group' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async create(@TenantId() tenantId: string, @Caller() caller: Principal, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Json> {
    return sendResource(reply, await this.groups.create(caller, tenantId, body), true);
  }

  @Put(':id')
  @ApiOperation({ summary: 'SCIM: Replace a group' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async replace(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Json> {
    return sendResource(reply, await this.groups.replace(caller, tenantId, id, body, ifMatchVersion(ifMatch)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'SCIM: Modify a group, e.g. add or remove members' })
  @Header('content-type', SCIM_CONTENT_TYPE)
  async patch(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Json> {
    return sendResource(reply, await this.groups.patch(caller, tenantId, id, body, ifMatchVersion(ifMatch)));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'SCIM: Delete a group' })
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@TenantId() tenantId: string, @Caller() caller: Principal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.groups.delete(caller, tenantId, id, ifMatchVersion(ifMatch));
  }
}
