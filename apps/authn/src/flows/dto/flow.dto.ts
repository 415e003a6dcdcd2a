import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsObject, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export const FLOW_METHODS = ['password', 'send-code', 'code', 'totp', 'recovery-code', 'register', 'enrol-totp', 'confirm-totp'] as const;
export type FlowMethod = (typeof FLOW_METHODS)[number];

export class FlowStartDto {
  @ApiPropertyOptional({ description: 'Where the app continues afterwards (kept in the flow, not followed by the API)' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;
}

/** One step of a flow; which fields matter depends on `method` (see the flow's `methods`). */
export class FlowSubmitDto {
  @ApiProperty({ enum: FLOW_METHODS })
  @IsIn(FLOW_METHODS)
  method: FlowMethod;

  @ApiPropertyOptional({ description: 'password, send-code: email, phone number or username' })
  @IsOptional()
  @IsString()
  @Length(1, 320)
  identifier?: string;

  @ApiPropertyOptional({ description: 'password, register' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  password?: string;

  @ApiPropertyOptional({ description: 'code, totp, recovery-code, confirm-totp' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  code?: string;

  @ApiPropertyOptional({ description: 'password, register: a long-lived session' })
  @IsOptional()
  @IsBoolean()
  remember?: boolean;

  @ApiPropertyOptional({ description: 'register' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'register' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  givenName?: string;

  @ApiPropertyOptional({ description: 'register' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  familyName?: string;

  @ApiPropertyOptional({ description: "register: the profile schema's registration attributes", type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown>;
}

export class RecoveryRequestDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(320)
  email: string;
}

export class RecoveryResetDto {
  @ApiProperty({ description: 'The token from the reset link' })
  @IsString()
  @Length(20, 128)
  token: string;

  @ApiProperty()
  @IsString()
  @Length(1, 4096)
  password: string;

  @ApiPropertyOptional({ default: true, description: 'Revoke every session of the account' })
  @IsOptional()
  @IsBoolean()
  signOutEverywhere?: boolean;
}
