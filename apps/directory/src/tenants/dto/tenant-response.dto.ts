import { ApiProperty } from '@nestjs/swagger';
import type { TenantEntity } from '../tenant.entity';

/** The OIDC issuer of a tenant (CONTRACT.md). */
export const issuerOf = (publicUrl: string, slug: string) => `${publicUrl}/t/${slug}`;

export class TenantResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'acme' })
  slug: string;

  @ApiProperty({ example: 'Acme Inc' })
  name: string;

  @ApiProperty({ description: 'OpenID Connect issuer of the tenant', example: 'http://localhost:8080/t/acme' })
  issuer: string;

  @ApiProperty({ type: [String], example: ['https://app.acme.com'] })
  corsOrigins: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(t: TenantEntity, publicUrl: string): TenantResponseDto {
    return {
      id: t.id,
      slug: t.slug,
      name: t.name,
      issuer: issuerOf(publicUrl, t.slug),
      corsOrigins: t.corsOrigins,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
    };
  }
}

export class TenantPageDto {
  @ApiProperty({ type: [TenantResponseDto] })
  items: TenantResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
