import { ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { IsDisplayName } from '../../core/text';
import { IsDescription, MAX_DESCRIPTION_LENGTH } from './description';

const present = (_: object, value: unknown) => value !== undefined;

/** JSON merge patch: absent fields stay as they are; `description: null` removes the description. */
export class GroupUpdateDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Platform engineering' })
  @ValidateIf(present)
  @IsDisplayName(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION_LENGTH, description: '`null` removes the description' })
  @IsDescription()
  description?: string | null;
}
