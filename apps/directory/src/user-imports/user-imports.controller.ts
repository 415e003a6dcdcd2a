import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiConsumes, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Caller, NDJSON_MEDIA_TYPE, Principal, ProblemException, RequireScopes, TenantId, actorOf, streamedBody } from '@keyline/platform-http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageQueryDto } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { UserResponseDto } from '../users/dto/user-response.dto';
import { UserImportJobPageDto, UserImportJobResponseDto, UserImportJobSummaryDto } from './dto/user-import-job-response.dto';
import { PasswordHashImportDto, UserImportLineDto } from './dto/user-import-line.dto';
import { UserExportQueryDto, UserImportStartQueryDto } from './dto/user-import-query.dto';
import { UserExportService } from './user-export.service';
import { UserImportsService } from './user-imports.service';

/**
 * Bulk import and export of users. Static paths (`/v1/users/export`, `/v1/users/imports`) win over
 * the users controller's `/v1/users/:id` in find-my-way regardless of registration order.
 */
@ApiTags('users')
@ApiBearerAuth('apiKey')
@ApiExtraModels(UserImportLineDto, PasswordHashImportDto)
@Controller('v1/users')
export class UserImportsController {
  constructor(
    private readonly imports: UserImportsService,
    private readonly exports: UserExportService,
  ) {}

  @Post('imports')
  @RequireScopes('users:write')
  @RouteConfig(streamedBody(NDJSON_MEDIA_TYPE))
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Import users in bulk',
    description:
      'An NDJSON body (application/x-ndjson): one user per line, in the shape of POST /v1/users, plus an optional `passwordHash` ' +
      '(a hash from the previous system; plain passwords are refused). Answers 202 at once with the job; follow Location for progress.',
  })
  @ApiConsumes(NDJSON_MEDIA_TYPE)
  @ApiBody({ description: 'One JSON object per line, each a UserImportLineDto (see components.schemas)', schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({ type: UserImportJobResponseDto, headers: { Location: { description: '/v1/users/imports/{id}', schema: { type: 'string' } } } })
  @ApiProblems(400, 401, 403, 413, 415)
  async start(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Query() query: UserImportStartQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<UserImportJobResponseDto> {
    try {
      const job = await this.imports.start(
        { tenantId, actor: actorOf(caller) },
        { onConflict: query.onConflict, body: req.body, contentLength: req.headers['content-length'] },
      );
      void reply.header('location', `/v1/users/imports/${job.id}`);
      return UserImportJobResponseDto.from(job);
    } catch (err) {
      // The rest of an oversized upload is not worth reading: close instead of draining it.
      if (err instanceof ProblemException && err.getStatus() === 413) void reply.header('connection', 'close');
      throw err;
    }
  }

  @Get('imports')
  @RequireScopes('users:read')
  @ApiOperation({ summary: "List the tenant's imports, oldest first (line errors: read one import)" })
  @ApiOkResponse({ type: UserImportJobPageDto })
  @ApiProblems(400, 401, 403)
  async list(@TenantId() tenantId: string, @Query() query: PageQueryDto): Promise<UserImportJobPageDto> {
    const page = await this.imports.list(tenantId, query);
    return { items: page.items.map(UserImportJobSummaryDto.from), nextCursor: page.nextCursor };
  }

  @Get('imports/:id')
  @RequireScopes('users:read')
  @ApiOperation({ summary: 'Progress and line errors of an import' })
  @ApiOkResponse({ type: UserImportJobResponseDto })
  @ApiProblems(401, 403, 404)
  async get(@TenantId() tenantId: string, @Param('id') id: string): Promise<UserImportJobResponseDto> {
    return UserImportJobResponseDto.from(await this.imports.get(tenantId, id));
  }

  @Get('export')
  @RequireScopes('users:read')
  @ApiOperation({ summary: "Export the tenant's users as NDJSON (one user per line, as GET /v1/users/{id} shows it), streamed" })
  @ApiProduces(NDJSON_MEDIA_TYPE)
  @ApiOkResponse({ type: UserResponseDto, description: 'One user per line' })
  @ApiProblems(400, 401, 403)
  async export(@TenantId() tenantId: string, @Query() query: UserExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const stream = await this.exports.export(tenantId, query.status);
    // Fastify pipes the stream with backpressure; an error mid-way cuts the response short.
    void reply.header('content-type', NDJSON_MEDIA_TYPE).header('cache-control', 'no-store').send(stream);
  }
}
