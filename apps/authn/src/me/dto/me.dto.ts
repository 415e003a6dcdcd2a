import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsObject, IsOptional, IsString, IsUrl, Length, MaxLength } from 'class-validator';

export class PasswordChangeDto {
  @ApiProperty()
  @IsString()
  @Length(1, 4096)
  currentPassword: string;

  @ApiProperty()
  @IsString()
  @Length(1, 4096)
  newPassword: string;

  @ApiPropertyOptional({ default: false, description: 'Revoke every other session of the account' })
  @IsOptional()
  @IsBoolean()
  signOutOtherSessions?: boolean;
}

export class EmailChangeDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(320)
  email: string;
}

export class CodeDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  code: string;
}

/** What a user may change about themselves; attributes only where the schema marks them user-editable. */
export class SelfProfilePatchDto {
  @IsOptional() @IsString() @MaxLength(200) givenName?: string | null;
  @IsOptional() @IsString() @MaxLength(200) familyName?: string | null;
  @IsOptional() @IsString() @MaxLength(200) displayName?: string | null;
  @IsOptional() @IsString() @MaxLength(35) locale?: string | null;
  @IsOptional() @IsUrl({ protocols: ['https'], require_protocol: true }) @MaxLength(2048) picture?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
}
