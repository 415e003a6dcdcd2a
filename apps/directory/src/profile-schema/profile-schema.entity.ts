import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';
import type { AttributeDefinition } from './profile-schema.types';

/** A tenant's profile schema: the custom attributes its users may carry. One row per tenant. */
@Entity('profile_schemas')
export class ProfileSchemaEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'simple-json' })
  attributes: AttributeDefinition[];

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
