import { ApiProperty } from '@nestjs/swagger';
import type { AuditEventDto, AuditEventPageDto } from '@keyline/audit-contracts';

export class AuditEventResponseDto implements AuditEventDto {
  @ApiProperty({ description: 'Event id (the envelope id)', format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'api-key.created' })
  type: string;

  @ApiProperty()
  tenantId: string;

  @ApiProperty({ description: 'Who caused it', example: 'api-key:0b5e1c1e-4f0e-4a0a-9d59-3c2f4c1f7a10' })
  actor: string;

  @ApiProperty({ description: 'What it is about (a user, an API key, the tenant)' })
  subject: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Event details; never secrets' })
  data: Record<string, unknown>;
}

export class AuditEventPageResponseDto implements AuditEventPageDto {
  @ApiProperty({ type: [AuditEventResponseDto] })
  items: AuditEventResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
