import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal, RequireScopes, TenantId, actorOf, PageQueryDto, etagOf, ifMatchVersion } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { ApplicationsService } from './applications.service';
import { ApplicationCreateDto, ApplicationSecretRotateDto, ApplicationUpdateDto } from './dto/application-create.dto';
import { ApplicationCreatedDto, ApplicationPageDto, ApplicationResponseDto, ApplicationSecretDto } from './dto/application-response.dto';

const IF_MATCH = { name: 'If-Match', required: false, description: 'Only if the application is still at this ETag (else 412)' };

@ApiTags('applications')
@ApiBearerAuth('apiKey')
@Controller('v1/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @RequireScopes('applications:write')
  @ApiOperation({
    summary: 'Register an application (OAuth client)',
    description: 'web and machine applications are confidential: the response carries their client secret, shown this once.',
  })
  @ApiCreatedResponse({ type: ApplicationCreatedDto })
  async create(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Body() body: ApplicationCreateDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApplicationCreatedDto> {
    const { app, clientSecret } = await this.applications.create({ tenantId, actor: actorOf(caller) }, body);
    void reply.header('etag', etagOf(app.version)).header('location', `/v1/applications/${app.id}`).header('cache-control', 'no-store');
    return { ...ApplicationResponseDto.from(app), ...(clientSecret ? { clientSecret } : {}) };
  }

  @Get()
  @RequireScopes('applications:read')
  @ApiOperation({ summary: "List the tenant's applications" })
  @ApiOkResponse({ type: ApplicationPageDto })
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<ApplicationPageDto> {
    const page = await this.applications.list(tenantId, query);
    return { items: page.items.map((a) => ApplicationResponseDto.from(a)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequireScopes('applications:read')
  @ApiOperation({ summary: 'Get an application (never its secret)' })
  @ApiOkResponse({ type: ApplicationResponseDto })
  async get(@TenantId() tenantId: string, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ApplicationResponseDto> {
    const app = await this.applications.get(tenantId, id);
    void reply.header('etag', etagOf(app.version));
    return ApplicationResponseDto.from(app);
  }

  @Patch(':id')
  @RequireScopes('applications:write')
  @ApiOperation({ summary: 'Change an application (JSON merge patch, RFC 7396: null resets a field to its default; the type is fixed)' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ApplicationResponseDto })
  async update(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: ApplicationUpdateDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApplicationResponseDto> {
    const app = await this.applications.update({ tenantId, actor: actorOf(caller) }, id, body, ifMatchVersion(ifMatch));
    void reply.header('etag', etagOf(app.version));
    return ApplicationResponseDto.from(app);
  }

  @Delete(':id')
  @RequireScopes('applications:write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an application: its client stops working at once' })
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@TenantId() tenantId: string, @Caller() caller: Principal, @Param('id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.applications.delete({ tenantId, actor: actorOf(caller) }, id, ifMatchVersion(ifMatch));
  }

  @Post(':id/secret')
  @RequireScopes('applications:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Rotate a confidential application's client secret",
    description: 'The new secret is shown this once; the current one keeps working for gracePeriodSeconds. Public clients answer 409 public_client.',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ApplicationSecretDto })
  async rotateSecret(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Body() body: ApplicationSecretRotateDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApplicationSecretDto> {
    const { app, clientSecret } = await this.applications.rotateSecret({ tenantId, actor: actorOf(caller) }, id, body.gracePeriodSeconds ?? 0, ifMatchVersion(ifMatch));
    void reply.header('etag', etagOf(app.version)).header('cache-control', 'no-store');
    return { clientSecret, previousSecretExpiresAt: app.previousSecretExpiresAt?.toISOString() ?? null };
  }
}
