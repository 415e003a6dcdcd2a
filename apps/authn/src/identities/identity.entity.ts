import type { UserStatus } from '@keyline/directory-contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms';


/**
 * authn's read model of a directory user: what sign-in needs (identifiers, status) and what tokens
 * carry (profile claims, non-sensitive attributes), kept from directory events so that sign-in never
 * waits on the directory.
 */
@Entity('identities')
export class IdentityEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Lower-cased, as the directory compares it; indexed with the tenant for sign-in by email. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  emailKey: string | null;

  @Column({ type: 'boolean' })
  emailVerified: boolean;

  @Column({ type: 'varchar', length: 16, nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'boolean' })
  phoneNumberVerified: boolean;

  @Column({ type: 'varchar', length: 256, nullable: true })
  username: string | null;

  @Column({ type: 'varchar', length: 256, nullable: true })
  usernameKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: UserStatus;

  /** Profile claims for tokens: names, locale, picture and non-sensitive attributes. */
  @Column({ type: 'simple-json' })
  claims: Record<string, unknown>;

  /** When the directory made the change this row reflects. */
  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}

/** A user's password hash, handed over by the directory; the only place Keyline keeps one. */
@Entity('password_credentials')
export class PasswordCredentialEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  /** `argon2id` for Keyline's own hashes; another format until the first sign-in upgrades it. */
  @Column({ type: 'varchar', length: 32 })
  format: string;

  @Column({ type: 'text' })
  hash: string;

  /** Where the hash came from: the directory (`api`, `import`) or authn's own flows. */
  @Column({ type: 'varchar', length: 16 })
  source: 'api' | 'import' | 'sign-up' | 'change' | 'reset' | 'rehash';

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;
}

/** A user's group memberships, for MFA policies that apply to some groups. */
@Entity('identity_groups')
export class IdentityGroupEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'uuid' })
  groupId: string;
}

/** Earlier password hashes of a user, for tenants whose policy forbids reuse. */
@Entity('password_history')
export class PasswordHistoryEntity {
  @PrimaryColumn({ type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @PrimaryColumn({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'text' })
  hash: string;
}
