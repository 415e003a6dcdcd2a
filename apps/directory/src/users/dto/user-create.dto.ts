import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, MinLength } from 'class-validator';
import { E164, EMAIL, EMAIL_MESSAGE, LOCALE, PHONE_MESSAGE, USERNAME, USERNAME_MESSAGE } from '../user.identifiers';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/**
 * Profile fields shared by create and update. `IsOptional` lets `null` through: on update it clears the
 * field (JSON merge patch), on create it is the same as leaving it out.
 */
export class UserProfileFieldsDto {
  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 320, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(320)
  @Matches(EMAIL, { message: EMAIL_MESSAGE })
  email?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  emailVerified?: boolean;

  @ApiPropertyOptional({ example: '+14155550100', description: 'E.164', nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(E164, { message: PHONE_MESSAGE })
  phoneNumber?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  phoneNumberVerified?: boolean;

  @ApiPropertyOptional({ example: 'ada', maxLength: 256, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username?: string | null;

  @ApiPropertyOptional({ example: 'Ada', maxLength: 100, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  givenName?: string | null;

  @ApiPropertyOptional({ example: 'Lovelace', maxLength: 100, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  familyName?: string | null;

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 200, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string | null;

  @ApiPropertyOptional({ example: 'en-GB', description: 'BCP 47 language tag', nullable: true })
  @IsOptional()
  @IsString()
  @Matches(LOCALE, { message: 'locale must be a BCP 47 language tag such as en-GB' })
  locale?: string | null;

  @ApiPropertyOptional({ example: 'https://example.com/ada.png', maxLength: 2048, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true }, { message: 'picture must be an http(s) URL' })
  picture?: string | null;

  @ApiPropertyOptional({ maxLength: 255, description: 'The id a provisioning client knows this user by', nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  externalId?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Custom attributes, validated against the tenant's profile schema",
    example: { plan: 'gold' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Server-only metadata, never shown to or editable by the user (at most 16 KiB as JSON)',
    example: { tier: 'vip' },
  })
  @IsOptional()
  @IsObject()
  appMetadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, writeOnly: true, description: 'Hashed at once; never stored or shown as such' })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password?: string;
}

/** `POST /v1/users`: at least one identifier (email, phoneNumber or username). */
export class UserCreateDto extends UserProfileFieldsDto {
  @ApiPropertyOptional({ enum: ['active', 'suspended'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';
}

/** `PATCH /v1/users/{id}`: a JSON merge patch (RFC 7396); `null` clears a field or removes an attribute. */
export class UserUpdateDto extends UserProfileFieldsDto {
  @ApiPropertyOptional({ enum: ['active', 'suspended'], description: 'Suspend or reactivate; deletion is DELETE' })
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';
}
