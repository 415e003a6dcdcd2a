import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WhoamiResponseDto {
  @ApiProperty({ enum: ['platform', 'tenant'] })
  kind: 'platform' | 'tenant';

  @ApiPropertyOptional({ format: 'uuid' })
  tenantId?: string;

  @ApiPropertyOptional({ example: 'acme' })
  tenantSlug?: string;

  @ApiProperty({ format: 'uuid' })
  keyId: string;

  @ApiProperty({ type: [String], example: ['admin'] })
  scopes: string[];
}
