import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AUDIT_READ_SCOPE } from '@keyline/audit-contracts';
import { RequireScopes, TenantId } from '@keyline/platform-http';
import { AuditEventParamsDto } from './dto/audit-event-params.dto';
import { AuditEventQueryDto } from './dto/audit-event-query.dto';
import { AuditEventPageResponseDto, AuditEventResponseDto } from './dto/audit-event-response.dto';
import { EventsService } from './events.service';

@ApiTags('audit')
@ApiBearerAuth('apiKey')
@ApiUnauthorizedResponse({ description: 'Missing, unknown or revoked API key (problem+json)' })
@ApiForbiddenResponse({ description: 'Not a tenant key, or the key lacks `audit:read` (problem+json)' })
@RequireScopes(AUDIT_READ_SCOPE)
@Controller('v1/audit/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({ summary: "List the tenant's audit events", description: 'Cursor-paginated; newest first by default.' })
  @ApiOkResponse({ type: AuditEventPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid filter, limit, cursor or time range (problem+json with field errors)' })
  list(@TenantId() tenantId: string, @Query() query: AuditEventQueryDto): Promise<AuditEventPageResponseDto> {
    return this.events.list(tenantId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one audit event of the tenant' })
  @ApiOkResponse({ type: AuditEventResponseDto })
  @ApiBadRequestResponse({ description: 'The id is not a UUID (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such event in this tenant (problem+json)' })
  get(@TenantId() tenantId: string, @Param() params: AuditEventParamsDto): Promise<AuditEventResponseDto> {
    return this.events.get(tenantId, params.id);
  }
}
