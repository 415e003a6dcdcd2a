import type { RoleAssignmentData } from '@keyline/directory-contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

export type RoleSubjectType = RoleAssignmentData['subjectType'];

/** A named set of permissions of one tenant, assigned to users directly or through their groups. */
@Entity('roles')
export class RoleEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** `nameKeyOf(name)`; unique per tenant (uq_roles_tenant_name). */
  @Column({ type: 'varchar', length: 400 })
  nameKey: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  /** Sorted, without duplicates. */
  @Column({ type: 'simple-json' })
  permissions: string[];

  /** Incremented by every change of the role itself (not by assignments). */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}

/** A role given to a user or a group. */
@Entity('role_assignments')
export class RoleAssignmentEntity {
  @PrimaryColumn({ type: 'uuid' })
  roleId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  subjectType: RoleSubjectType;

  @PrimaryColumn({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;
}
