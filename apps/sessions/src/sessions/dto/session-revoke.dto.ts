import type { SessionRevokeRequest } from '@keyline/sessions-contracts';
import { IsTokenField } from './session-fields';

export class SessionRevokeDto implements SessionRevokeRequest {
  @IsTokenField()
  token: string;
}
