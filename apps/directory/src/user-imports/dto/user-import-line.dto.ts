import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PASSWORD_HASH_FORMATS } from '@keyline/directory-contracts';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { UserCreateDto } from '../../users/dto/user-create.dto';

/**
 * A password hash from another system. Types are checked here; the hash itself is parsed by
 * `importedHash` (imported-hash.ts) with the password library authn verifies it with.
 */
export class PasswordHashImportDto {
  @ApiProperty({ enum: PASSWORD_HASH_FORMATS })
  @IsString()
  format: string;

  @ApiProperty({ maxLength: 1024, example: '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy' })
  @IsString()
  hash: string;

  @ApiPropertyOptional({ description: 'salted-sha256 only: the salt, as text' })
  @IsOptional()
  @IsString()
  salt?: string;

  @ApiPropertyOptional({ enum: ['prefix', 'suffix'], description: 'salted-sha256 only: sha256(salt + password) or sha256(password + salt)' })
  @IsOptional()
  @IsString()
  saltPosition?: string;

  @ApiPropertyOptional({ enum: ['utf8', 'hex', 'base64'], default: 'utf8', description: 'salted-sha256 only: how the salt is written' })
  @IsOptional()
  @IsString()
  saltEncoding?: string;
}

/**
 * One line of `POST /v1/users/imports`: the body of `POST /v1/users`, plus an existing password hash.
 * A plain `password` is refused (see user-import.line.ts).
 */
export class UserImportLineDto extends UserCreateDto {
  @ApiPropertyOptional({ type: PasswordHashImportDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PasswordHashImportDto)
  passwordHash?: PasswordHashImportDto;
}
