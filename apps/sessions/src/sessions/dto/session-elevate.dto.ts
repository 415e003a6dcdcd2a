import type { SessionElevateRequest } from '@keyline/sessions-contracts';
import { IsAcr, IsAmrList, IsTokenField } from './session-fields';

export class SessionElevateDto implements SessionElevateRequest {
  @IsTokenField()
  token: string;

  @IsAmrList()
  amr: string[];

  @IsAcr()
  acr: string;
}
