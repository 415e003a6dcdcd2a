import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EffectiveRole } from '../effective-roles.service';
import type { RoleEntity } from '../role.entity';
import type { RoleSource } from '../role.store';

export class RoleResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Billing admin' })
  name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Manages invoices and payment methods' })
  description: string | null;

  @ApiProperty({ type: [String], example: ['invoices:read', 'invoices:write'] })
  permissions: string[];

  @ApiProperty({ type: 'integer', description: 'Incremented by every change of the role', example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(r: RoleEntity): RoleResponseDto {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      permissions: r.permissions,
      version: r.version,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}

export class RolePageDto {
  @ApiProperty({ type: [RoleResponseDto] })
  items: RoleResponseDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  nextCursor: string | null;
}

export class RoleSourceDto {
  @ApiProperty({ enum: ['direct', 'group'], description: '`direct`: assigned to the user; `group`: through that group' })
  type: 'direct' | 'group';

  @ApiPropertyOptional({ format: 'uuid' })
  groupId?: string;

  @ApiPropertyOptional({ example: 'Engineering' })
  groupName?: string;

  static from(s: RoleSource): RoleSourceDto {
    return s.type === 'direct' ? { type: 'direct' } : { type: 'group', groupId: s.groupId, groupName: s.groupName };
  }
}

export class EffectiveRoleDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Billing admin' })
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: [String], example: ['invoices:read'] })
  permissions: string[];

  @ApiProperty({ type: [RoleSourceDto], description: 'Why the user has the role: direct first, then groups by name' })
  sources: RoleSourceDto[];

  static from(e: EffectiveRole): EffectiveRoleDto {
    const { id, name, description, permissions } = e.role;
    return { id, name, description, permissions, sources: e.sources.map(RoleSourceDto.from) };
  }
}

export class EffectiveRoleListDto {
  @ApiProperty({ type: [EffectiveRoleDto], description: 'Every role the user has, each once, in role creation order' })
  items: EffectiveRoleDto[];
}
