import { SESSION_ID_PATTERN, SessionDeleteQuery } from '@keyline/sessions-contracts';
import { IsUUID, Matches } from 'class-validator';

export class SessionIdParamDto {
  @Matches(SESSION_ID_PATTERN, { message: 'id must be a session id' })
  id: string;
}

export class SessionDeleteQueryDto implements SessionDeleteQuery {
  @IsUUID()
  tenantId: string;
}
