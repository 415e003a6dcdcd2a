import { SESSION_ID_PATTERN, SessionRevokeUserRequest } from '@keyline/sessions-contracts';
import { IsOptional, IsUUID, Matches } from 'class-validator';

export class SessionRevokeUserDto implements SessionRevokeUserRequest {
  @IsUUID()
  tenantId: string;

  @IsUUID()
  userId: string;

  @IsOptional()
  @Matches(SESSION_ID_PATTERN, { message: 'exceptId must be a session id' })
  exceptId?: string;
}
