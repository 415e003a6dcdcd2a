import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms';
import type { PublicSigningJwk, SigningAlg } from './signing-key.crypto';

/** `next`: published, not yet signing; `active`: signs (one per tenant and alg); `retired`: published for verification until `expiresAt`. */
export const SIGNING_KEY_STATUSES = ['next', 'active', 'retired'] as const;
export type SigningKeyStatus = (typeof SIGNING_KEY_STATUSES)[number];

/**
 * The slot a key holds: `<alg>:active` or `<alg>:next`, NULL once retired. A unique (tenantId, slot)
 * index keeps one active and at most one pending key per tenant and alg on Postgres and SQLite alike
 * (NULLs never collide in either), where a partial unique index would not be portable.
 */
export const slotOf = (alg: SigningAlg, status: Exclude<SigningKeyStatus, 'retired'>): string => `${alg}:${status}`;

/** One signing key of a tenant; the private JWK sealed with the authn key ring (aad `signing-key:<tenant>:<kid>`). */
@Entity('signing_keys')
@Index('uq_signing_keys_tenant_slot', ['tenantId', 'slot'], { unique: true })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  kid: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 8 })
  alg: SigningAlg;

  @Column({ type: 'varchar', length: 8 })
  status: SigningKeyStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  slot: string | null;

  @Column({ type: 'simple-json' })
  publicJwk: PublicSigningJwk;

  @Column({ type: 'text' })
  privateJwkSealed: string;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  /** When a `next` key starts signing; for a key created active, its creation time. */
  @Column({ type: 'bigint', transformer: epochMs })
  activatesAt: Date;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  retiredAt: Date | null;

  /** When a retired key leaves the JWKS (and is deleted): `retiredAt` + `retireAfterSeconds`. */
  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  expiresAt: Date | null;
}
