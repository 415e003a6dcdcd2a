import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

export type ApiKeyKind = 'platform' | 'tenant';

/** An API key. Only the SHA-256 of the secret is stored; the secret itself is shown once at creation. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Null for platform admin keys. */
  @Column({ type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: ApiKeyKind;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The first characters of the key, so people can tell their keys apart. */
  @Column({ type: 'varchar', length: 12 })
  prefix: string;

  /** Hex SHA-256 of the key (unique): what the gateway looks keys up by. */
  @Column({ type: 'varchar', length: 64 })
  keyHash: string;

  @Column({ type: 'simple-json' })
  scopes: string[];

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  lastUsedAt: Date | null;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  revokedAt: Date | null;

  /** Actor that created the key (`platform-admin:<id>`, `api-key:<id>`, `system:bootstrap`). */
  @Column({ type: 'varchar', length: 200 })
  createdBy: string;
}
