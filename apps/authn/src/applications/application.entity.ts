import type { ApplicationGrantType, ApplicationType, IdTokenSigningAlg, TokenEndpointAuthMethod } from '@keyline/authn-contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms';
import type { PublicJwks } from './applications.rules';

/**
 * A tenant's OAuth client, as the OpenID provider reads it. The secret of a confidential client is
 * kept only as a keyed hash (`AuthnKeys.mac('client-secret', …)`); a deleted application keeps its row
 * (and its client id, never reused) but stops working at once.
 */
@Entity('applications')
@Index('ix_applications_tenant', ['tenantId', 'id'])
@Index('ux_applications_client', ['clientId'], { unique: true })
export class ApplicationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  tenantId: string;

  /** Public OAuth `client_id`: 24 random bytes, base64url; unique across tenants. */
  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: ApplicationType;

  @Column({ type: 'boolean' })
  firstParty: boolean;

  @Column({ type: 'simple-json' })
  redirectUris: string[];

  @Column({ type: 'simple-json' })
  postLogoutRedirectUris: string[];

  @Column({ type: 'simple-json' })
  grantTypes: ApplicationGrantType[];

  @Column({ type: 'simple-json' })
  scopes: string[];

  @Column({ type: 'simple-json' })
  corsOrigins: string[];

  @Column({ type: 'varchar', length: 32 })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  @Column({ type: 'simple-json', nullable: true })
  jwks: PublicJwks | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  jwksUri: string | null;

  @Column({ type: 'int' })
  accessTokenTtlSeconds: number;

  @Column({ type: 'int' })
  idTokenTtlSeconds: number;

  @Column({ type: 'int' })
  refreshTokenTtlSeconds: number;

  /** Always true today; a column so that the provider reads one place if that ever becomes a choice. */
  @Column({ type: 'boolean' })
  refreshTokenRotation: boolean;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  backchannelLogoutUri: string | null;

  @Column({ type: 'varchar', length: 16 })
  idTokenSignedResponseAlg: IdTokenSigningAlg;

  @Column({ type: 'simple-json' })
  claims: { attributes: string[] };

  /** MAC of the current client secret; null for public clients. */
  @Column({ type: 'text', nullable: true })
  secretHash: string | null;

  /** MAC of the secret before the last rotation, accepted until `previousSecretExpiresAt`. */
  @Column({ type: 'text', nullable: true })
  previousSecretHash: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: Date;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: Date;

  @Column({ type: 'bigint', nullable: true, transformer: epochMs })
  deletedAt: Date | null;
}
