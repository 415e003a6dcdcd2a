import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId, actorOf } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';
import { etagOf, ifMatchVersion } from '@keyline/platform-http';
import { ApiProblems } from '../core/problem.dto';
import { ProfileSchemaPutDto, ProfileSchemaResponseDto } from './dto/profile-schema.dto';
import { ProfileSchemaService } from './profile-schema.service';

@ApiTags('profile-schema')
@ApiBearerAuth('apiKey')
@Controller('v1/profile-schema')
export class ProfileSchemaController {
  constructor(private readonly schemas: ProfileSchemaService) {}

  @Get()
  @RequireScopes('users:read')
  @ApiOperation({ summary: "The tenant's profile schema: the custom attributes its users may carry" })
  @ApiOkResponse({ type: ProfileSchemaResponseDto })
  @ApiProblems(401, 403)
  async get(@TenantId() tenantId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProfileSchemaResponseDto> {
    const schema = await this.schemas.get(tenantId);
    void reply.header('etag', etagOf(schema.version));
    return ProfileSchemaResponseDto.from(schema);
  }

  @Put()
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Replace the profile schema (admin)',
    description: 'New rules apply to new writes; existing users are not rewritten. Making an attribute unique fails with 409 while existing users share a value.',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the schema this change is based on' })
  @ApiOkResponse({ type: ProfileSchemaResponseDto })
  @ApiProblems(400, 401, 403, 409, 412)
  async put(
    @TenantId() tenantId: string,
    @Caller() caller: Principal,
    @Body() body: ProfileSchemaPutDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileSchemaResponseDto> {
    const schema = await this.schemas.put(tenantId, actorOf(caller), body.attributes, ifMatchVersion(ifMatch));
    void reply.header('etag', etagOf(schema.version));
    return ProfileSchemaResponseDto.from(schema);
  }
}
