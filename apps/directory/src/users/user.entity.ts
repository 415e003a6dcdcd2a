import type { UserStatus } from '@keyline/directory-contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/columns';

/**
 * A customer's identity and profile within one tenant.
 *
 * Identifiers are unique per tenant through their `*Key` columns (the normalised, lower-cased form);
 * the display value keeps the case the user typed. Soft deletion clears the keys, which releases the
 * identifiers for new users while the row remains until the privacy flow erases it.
 */
@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Lower-cased email; unique per tenant (uq_users_tenant_email), null once deleted. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  emailKey: string | null;

  @Column({ type: 'boolean', default: false })
  emailVerified: boolean;

  /** E.164. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  phoneKey: string | null;

  @Column({ type: 'boolean', default: false })
  phoneNumberVerified: boolean;

  /** Up to 256: SCIM clients send user principal names (alice.smith@eu.contoso.onmicrosoft.com). */
  @Column({ type: 'varchar', length: 256, nullable: true })
  username: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  usernameKey: string | null;

  /** The identifier a provisioning client (SCIM) knows this user by. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  givenName: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  familyName: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  displayName: string | null;

  /** Lower-cased given name, family name and display name, for prefix search. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  givenNameKey: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  familyNameKey: string | null;

  /** BCP 47 language tag. */
  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  picture: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: UserStatus;

  /** Custom attributes governed by the tenant's profile schema. */
  @Column({ type: 'simple-json' })
  attributes: Record<string, unknown>;

  /** Server-only metadata (plan, tier, ...): never editable by the user, never in self-service views. */
  @Column({ type: 'simple-json' })
  appMetadata: Record<string, unknown>;

  /** SCIM enterprise user extension (urn:ietf:params:scim:schemas:extension:enterprise:2.0:User). */
  @Column({ type: 'simple-json', nullable: true })
  enterprise: Record<string, unknown> | null;

  /** Incremented by every change: the ETag (`W/"<version>"`) and the optimistic-concurrency check. */
  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  lastLoginAt: Date | null;

  @Column({ type: 'bigint', transformer: epochMs, nullable: true })
  deletedAt: Date | null;
}

/**
 * One row per value of a custom attribute the schema marks `unique`: the primary key makes the value
 * unique per tenant and attribute even under concurrent writes, which a JSON column cannot.
 */
@Entity('user_unique_values')
export class UserUniqueValueEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  attribute: string;

  @PrimaryColumn({ type: 'varchar', length: 512 })
  valueKey: string;

  @Column({ type: 'uuid' })
  userId: string;
}
