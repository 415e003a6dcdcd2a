import { ApiProperty } from '@nestjs/swagger';
import type { ApiKeyEntity } from '../api-key.entity';

/** A key as listed: never the key itself nor its hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  tenantId: string;

  @ApiProperty({ example: 'backend' })
  name: string;

  @ApiProperty({ type: [String], example: ['admin'] })
  scopes: string[];

  @ApiProperty({ description: 'First characters of the key, to recognise it', example: 'kl_3hG9x0aQp' })
  prefix: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ example: 'platform-admin:0197a0c4-1f2e-7c4d-9a51-6f0d1e2c3b4a' })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  static from(k: ApiKeyEntity): ApiKeyResponseDto {
    return {
      id: k.id,
      tenantId: k.tenantId ?? '',
      name: k.name,
      scopes: k.scopes,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      createdBy: k.createdBy,
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    };
  }
}

/** The answer to a key creation: the only response that ever contains the key. */
export class ApiKeyCreatedResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The API key. Shown only in this response; store it now.', example: 'kl_3hG9x0aQp...' })
  key: string;

  static withKey(k: ApiKeyEntity, key: string): ApiKeyCreatedResponseDto {
    return { ...ApiKeyResponseDto.from(k), key };
  }
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  items: ApiKeyResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
