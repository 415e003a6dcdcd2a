import { SESSION_LIMITS, SessionCreateRequest } from '@keyline/sessions-contracts';
import { IsInt, IsUUID, Max, Min } from 'class-validator';
import { IsAcr, IsAmrList, IsNotAbove, IsOptionalClientId, IsOptionalIp, IsOptionalUserAgent } from './session-fields';

export class SessionCreateDto implements SessionCreateRequest {
  @IsUUID()
  tenantId: string;

  @IsUUID()
  userId: string;

  @IsAmrList()
  amr: string[];

  @IsAcr()
  acr: string;

  @IsOptionalIp()
  ip?: string;

  @IsOptionalUserAgent()
  userAgent?: string;

  @IsInt()
  @Min(SESSION_LIMITS.idleTtlMinMs)
  @Max(SESSION_LIMITS.idleTtlMaxMs)
  @IsNotAbove('absoluteTtlMs')
  idleTtlMs: number;

  @IsInt()
  @Min(SESSION_LIMITS.absoluteTtlMinMs)
  @Max(SESSION_LIMITS.absoluteTtlMaxMs)
  absoluteTtlMs: number;

  @IsOptionalClientId()
  clientId?: string;
}
