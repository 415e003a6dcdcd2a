import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches, ValidateIf } from 'class-validator';
import { IsDisplayName } from '../../core/text';
import { IsDescription, MAX_DESCRIPTION_LENGTH } from '../../groups/dto/description';
import { MAX_PERMISSIONS, PERMISSION_PATTERN } from '../permissions';
import { PERMISSIONS_MESSAGE } from './role-create.dto';

const present = (_: object, value: unknown) => value !== undefined;

/** JSON merge patch: absent fields stay as they are; `description: null` removes the description. */
export class RoleUpdateDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Billing administrator' })
  @ValidateIf(present)
  @IsDisplayName(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION_LENGTH, description: '`null` removes the description' })
  @IsDescription()
  description?: string | null;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_PERMISSIONS, pattern: PERMISSION_PATTERN.source, description: 'Replaces the permissions; `[]` removes them all' })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_PERMISSIONS)
  @Matches(PERMISSION_PATTERN, { each: true, message: PERMISSIONS_MESSAGE })
  permissions?: string[];
}
