import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms';
import type { AuthnSettings } from './authn-settings';

/** authn's read model of a directory tenant: what issuer paths and hosted pages need. */
@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 63, unique: true })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}

/** A tenant's sign-in settings, owned by authn (`/v1/authn-settings`). */
@Entity('authn_settings')
export class AuthnSettingsEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'simple-json' })
  settings: AuthnSettings;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}
