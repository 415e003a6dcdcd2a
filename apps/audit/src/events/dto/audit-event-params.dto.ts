import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class AuditEventParamsDto {
  @ApiProperty({ description: 'Event id (the envelope id, a UUID)', format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'id must be a UUID' })
  id: string;
}
