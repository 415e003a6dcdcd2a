import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDisplayName } from '../../core/text';
import { IsDescription, MAX_DESCRIPTION_LENGTH } from './description';

export class GroupCreateDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Unique within the tenant, ignoring case', example: 'Engineering' })
  @IsDisplayName(1, 200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_DESCRIPTION_LENGTH, example: 'Everyone who ships code' })
  @IsDescription()
  description?: string | null;
}
