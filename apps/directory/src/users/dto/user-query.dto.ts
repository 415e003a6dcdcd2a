import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { USER_STATUSES, type UserStatus } from '@keyline/directory-contracts';
import { PageQueryDto } from '@keyline/platform-http';

/** `GET /v1/users`: all given conditions must hold; results are in creation order. */
export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Exact email, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: 'Exact username, case-insensitive' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  username?: string;

  @ApiPropertyOptional({ description: 'Exact phone number (E.164)' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  phoneNumber?: string;

  @ApiPropertyOptional({ description: 'Exact external id (SCIM)' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  externalId?: string;

  @ApiPropertyOptional({ description: 'Prefix of the email, username, given name or family name, case-insensitive' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: USER_STATUSES, description: 'Default: every status but deleted' })
  @IsOptional()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Members of this group' })
  @IsOptional()
  @IsUUID()
  group?: string;

  @ApiPropertyOptional({
    description:
      'A SCIM-style filter (RFC 7644 §3.4.2.2) over user fields and custom attributes, e.g. `attributes.plan eq "gold" and emailVerified eq true`',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  filter?: string;
}
