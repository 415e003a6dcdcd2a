import { ApiProperty } from '@nestjs/swagger';
import type { GroupEntity } from '../group.entity';

export class GroupResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Engineering' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Everyone who ships code' })
  description: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Identifier of the group at a provisioning client (SCIM)' })
  externalId: string | null;

  @ApiProperty({ type: 'integer', description: 'Incremented by every change, membership included', example: 3 })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(g: GroupEntity): GroupResponseDto {
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      externalId: g.externalId,
      version: g.version,
      createdAt: g.createdAt.toISOString(),
      updatedAt: g.updatedAt.toISOString(),
    };
  }
}

export class GroupPageDto {
  @ApiProperty({ type: [GroupResponseDto] })
  items: GroupResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}
