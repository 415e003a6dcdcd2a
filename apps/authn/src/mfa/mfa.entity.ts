import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms';

/** A user's authenticator app: the TOTP seed, encrypted at rest (`SecretBox`). */
@Entity('totp_factors')
export class TotpFactorEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  secretSealed: string;

  /** The last accepted time step: a code of this step or older is a replay. */
  @Column({ type: 'bigint', transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) }, nullable: true })
  lastUsedStep: number | null;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;
}

/** One single-use recovery code, stored as an HMAC. */
@Entity('recovery_codes')
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  usedAt: Date | null;
}
