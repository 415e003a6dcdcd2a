import type { SessionListQuery } from '@keyline/sessions-contracts';
import { IsUUID } from 'class-validator';

export class SessionListQueryDto implements SessionListQuery {
  @IsUUID()
  tenantId: string;

  @IsUUID()
  userId: string;
}
