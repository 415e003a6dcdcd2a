import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

/** A tenant: its own users, applications, keys and OIDC issuer `{PUBLIC_URL}/t/{slug}`. */
@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Unique (uq_tenants_slug) and immutable: it is part of the issuer and of every key record. */
  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'simple-json' })
  corsOrigins: string[];

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
