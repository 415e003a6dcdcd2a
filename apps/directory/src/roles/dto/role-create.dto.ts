import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches, ValidateIf } from 'class-validator';
import { IsDisplayName } from '../../core/text';
import { IsDescription, MAX_DESCRIPTION_LENGTH } from '../../groups/dto/description';
import { MAX_PERMISSIONS, PERMISSION_PATTERN } from '../permissions';

export const PERMISSIONS_MESSAGE = `each value in permissions must match ${PERMISSION_PATTERN.source}`;

export class RoleCreateDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Unique within the tenant, ignoring case', example: 'Billing admin' })
  @IsDisplayName(1, 200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION_LENGTH, example: 'Manages invoices and payment methods' })
  @IsDescription()
  description?: string | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_PERMISSIONS,
    pattern: PERMISSION_PATTERN.source,
    description: 'Kept sorted and without duplicates',
    example: ['invoices:read', 'invoices:write'],
  })
  @ValidateIf((_: object, value: unknown) => value !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_PERMISSIONS)
  @Matches(PERMISSION_PATTERN, { each: true, message: PERMISSIONS_MESSAGE })
  permissions?: string[];
}
