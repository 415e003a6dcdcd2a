import type { SessionTouchRequest } from '@keyline/sessions-contracts';
import { IsOptionalClientId, IsOptionalIp, IsOptionalUserAgent, IsTokenField } from './session-fields';

export class SessionTouchDto implements SessionTouchRequest {
  @IsTokenField()
  token: string;

  @IsOptionalIp()
  ip?: string;

  @IsOptionalUserAgent()
  userAgent?: string;

  @IsOptionalClientId()
  clientId?: string;
}
