import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, ValidateIf } from 'class-validator';
import { IsDisplayName } from '../../core/text';
import { IsOrigin } from '../cors-origins';
import { MAX_CORS_ORIGINS } from './tenant-create.dto';

const present = (_: object, value: unknown) => value !== undefined;

/** Fields to change; absent fields stay as they are, `null` is not a value here. */
export class TenantUpdateDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'Acme Corporation' })
  @ValidateIf(present)
  @IsDisplayName(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_CORS_ORIGINS, example: ['https://app.acme.com'] })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(MAX_CORS_ORIGINS)
  @IsOrigin({ each: true })
  corsOrigins?: string[];
}
