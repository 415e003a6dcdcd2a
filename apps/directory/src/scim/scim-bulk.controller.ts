import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller, Principal, RequireScopes, TenantId } from '@keyline/platform-http';
import { SCIM_CONTENT_TYPE, ScimExceptionFilter } from './protocol';
import { ScimBulkService } from './scim-bulk.service';

/** RFC 7644 §3.7 Bulk. */
@ApiTags('scim')
@UseFilters(ScimExceptionFilter)
@RequireScopes('scim')
@Controller('scim/v2/Bulk')
export class ScimBulkController {
  constructor(private readonly bulk: ScimBulkService) {}

  @Post()
  @ApiOperation({ summary: 'SCIM: Run a bulk request (RFC 7644 §3.7)' })
  @HttpCode(HttpStatus.OK)
  @Header('content-type', SCIM_CONTENT_TYPE)
  run(@TenantId() tenantId: string, @Caller() caller: Principal, @Body() body: unknown): Promise<Record<string, unknown>> {
    return this.bulk.run(caller, tenantId, body);
  }
}
