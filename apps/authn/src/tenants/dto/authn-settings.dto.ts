import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MFA_METHODS, MFA_POLICIES, type MfaMethod, type MfaPolicy } from '../authn-settings';

class SignUpSettingsDto {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({ description: 'New users must confirm their email with a code before the first session' })
  @IsOptional() @IsBoolean() requireEmailVerification?: boolean;
}

class PasswordPolicyDto {
  @ApiPropertyOptional({ minimum: 8, maximum: 256, default: 8 })
  @IsOptional() @IsInt() @Min(8) @Max(256) minLength?: number;
  @ApiPropertyOptional({ default: true, description: 'Refuse the most common passwords (SecLists, ~200k of 8+ characters)' })
  @IsOptional() @IsBoolean() rejectCommon?: boolean;
  @ApiPropertyOptional({ default: true, description: 'Refuse passwords that contain the email local part or username' })
  @IsOptional() @IsBoolean() rejectContextWords?: boolean;
  @ApiPropertyOptional({ minimum: 0, maximum: 24, default: 0, description: 'How many earlier passwords may not be reused' })
  @IsOptional() @IsInt() @Min(0) @Max(24) historySize?: number;
}

class PasswordlessSettingsDto {
  @ApiPropertyOptional({ default: false, description: 'Sign in with a one-time code sent by email, without a password' })
  @IsOptional() @IsBoolean() emailCode?: boolean;
}

class MfaSettingsDto {
  @ApiPropertyOptional({ enum: MFA_POLICIES, default: 'optional' })
  @IsOptional() @IsIn(MFA_POLICIES) policy?: MfaPolicy;
  @ApiPropertyOptional({ type: [String], description: 'Groups whose members must use MFA (policy required-for-groups)' })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) groups?: string[];
  @ApiPropertyOptional({ enum: MFA_METHODS, isArray: true })
  @IsOptional() @IsArray() @ArrayUnique() @IsIn(MFA_METHODS, { each: true }) methods?: MfaMethod[];
}

class BruteForceSettingsDto {
  @IsOptional() @IsInt() @Min(3) @Max(100) maxFailures?: number;
  @IsOptional() @IsInt() @Min(1) @Max(24 * 60) lockoutMinutes?: number;
  @IsOptional() @IsInt() @Min(10) @Max(100_000) maxFailuresPerIp?: number;
}

class SessionSettingsDto {
  @IsOptional() @IsInt() @Min(5) @Max(30 * 24 * 60) idleMinutes?: number;
  @IsOptional() @IsInt() @Min(1) @Max(90 * 24) absoluteHours?: number;
  @IsOptional() @IsInt() @Min(1) @Max(400) rememberMeDays?: number;
}

class BrandingSettingsDto {
  @IsOptional() @IsString() @MaxLength(100) name?: string | null;
  @ApiPropertyOptional({ description: 'https URL of the logo shown on hosted pages' })
  @IsOptional() @IsString() @MaxLength(2048) @Matches(/^https:\/\/[^\s"'<>]+$/) logoUrl?: string | null;
  @ApiPropertyOptional({ example: '#4f46e5' })
  @IsOptional() @IsString() @Matches(/^#(?:[0-9a-fA-F]{3}){1,2}$/) primaryColor?: string | null;
}

class MailSettingsDto {
  @ApiPropertyOptional({ description: 'Sender address of this tenant\'s mail, e.g. "Acme <no-reply@acme.example>"' })
  @IsOptional() @IsString() @MaxLength(320) @Matches(/^[^\r\n]+$/) from?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Template overrides: { [template]: { en|de: { subject, text, html } } }' })
  @IsOptional() @IsObject() templates?: Record<string, unknown>;
}

/** `PATCH /v1/authn-settings`: each section given is merged over the current one. */
export class AuthnSettingsPatchDto {
  @IsOptional() @ValidateNested() @Type(() => SignUpSettingsDto) signUp?: SignUpSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => PasswordPolicyDto) passwordPolicy?: PasswordPolicyDto;
  @IsOptional() @ValidateNested() @Type(() => PasswordlessSettingsDto) passwordless?: PasswordlessSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => MfaSettingsDto) mfa?: MfaSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => BruteForceSettingsDto) bruteForce?: BruteForceSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => SessionSettingsDto) sessions?: SessionSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => BrandingSettingsDto) branding?: BrandingSettingsDto;
  @IsOptional() @ValidateNested() @Type(() => MailSettingsDto) mail?: MailSettingsDto;
}
