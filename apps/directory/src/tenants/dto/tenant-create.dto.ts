import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TENANT_SLUG_PATTERN } from '@keyline/directory-contracts';
import { ArrayMaxSize, IsArray, IsOptional, Matches } from 'class-validator';
import { IsDisplayName } from '../../core/text';
import { IsOrigin } from '../cors-origins';

export const MAX_CORS_ORIGINS = 50;

export class TenantCreateDto {
  @ApiProperty({
    description: 'URL-safe identifier, part of the issuer `{PUBLIC_URL}/t/{slug}`; cannot be changed later',
    pattern: TENANT_SLUG_PATTERN.source,
    example: 'acme',
  })
  @Matches(TENANT_SLUG_PATTERN, {
    message: 'slug must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit',
  })
  slug: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Inc' })
  @IsDisplayName(1, 200)
  name: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_CORS_ORIGINS,
    description: 'Browser origins allowed to call the tenant endpoints (CORS)',
    example: ['https://app.acme.com'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CORS_ORIGINS)
  @IsOrigin({ each: true })
  corsOrigins?: string[];
}
