import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

/** A named set of users of one tenant (SCIM Group); roles assigned to it apply to its members. */
@Entity('groups')
export class GroupEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** `nameKeyOf(name)`; unique per tenant (uq_groups_tenant_name). Lower-casing can double a character. */
  @Column({ type: 'varchar', length: 400 })
  nameKey: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  /** The identifier a provisioning client (SCIM) knows this group by. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  /** Incremented by every change, membership included: the SCIM ETag (`W/"<version>"`). */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}

/** One user's membership of one group. */
@Entity('group_members')
export class GroupMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  groupId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  /** When the user was added. */
  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;
}
