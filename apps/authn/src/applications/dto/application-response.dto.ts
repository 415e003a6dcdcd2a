import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  APPLICATION_GRANT_TYPES,
  APPLICATION_TYPES,
  ID_TOKEN_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type ApplicationData,
  type ApplicationGrantType,
  type ApplicationType,
  type IdTokenSigningAlg,
  type TokenEndpointAuthMethod,
} from '@keyline/authn-contracts';
import type { ApplicationEntity } from '../application.entity';
import { isConfidential, settingsOf } from '../applications.rules';
import { ApplicationClaimsDto } from './application-create.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The public view of an application (events carry the same plus `tenantId`): never a secret or its hash. */
export function applicationData(a: ApplicationEntity): ApplicationData {
  return {
    id: a.id,
    tenantId: a.tenantId,
    clientId: a.clientId,
    ...settingsOf(a),
    refreshTokenRotation: a.refreshTokenRotation,
    previousSecretExpiresAt: iso(a.previousSecretExpiresAt),
    version: a.version,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** An application as the management API shows it. */
export class ApplicationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Public OAuth client_id', example: 'Xq3v0kC1o9v3yqgS7bJ7w2f8hQm1ZrTa' })
  clientId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: APPLICATION_TYPES })
  type: ApplicationType;

  @ApiProperty({ description: 'Confidential clients (web, machine) hold a client secret' })
  confidential: boolean;

  @ApiProperty()
  firstParty: boolean;

  @ApiProperty({ type: [String] })
  redirectUris: string[];

  @ApiProperty({ type: [String] })
  postLogoutRedirectUris: string[];

  @ApiProperty({ enum: APPLICATION_GRANT_TYPES, isArray: true })
  grantTypes: ApplicationGrantType[];

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ type: [String] })
  corsOrigins: string[];

  @ApiProperty({ enum: TOKEN_ENDPOINT_AUTH_METHODS })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  jwks: { keys: Record<string, unknown>[] } | null;

  @ApiProperty({ type: String, nullable: true })
  jwksUri: string | null;

  @ApiProperty()
  accessTokenTtlSeconds: number;

  @ApiProperty()
  idTokenTtlSeconds: number;

  @ApiProperty()
  refreshTokenTtlSeconds: number;

  @ApiProperty({ description: 'Always true: each refresh returns a new refresh token' })
  refreshTokenRotation: boolean;

  @ApiProperty({ type: String, nullable: true })
  backchannelLogoutUri: string | null;

  @ApiProperty({ enum: ID_TOKEN_SIGNING_ALGS })
  idTokenSignedResponseAlg: IdTokenSigningAlg;

  @ApiProperty({ type: ApplicationClaimsDto })
  claims: { attributes: string[] };

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the secret before the last rotation still works' })
  previousSecretExpiresAt: string | null;

  @ApiProperty({ description: 'Incremented by every change; the ETag is W/"<version>"' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  static from(a: ApplicationEntity): ApplicationResponseDto {
    const { tenantId: _tenantId, ...view } = applicationData(a);
    return { ...view, confidential: isConfidential(a.type) };
  }
}

/** `201` of `POST /v1/applications`: the only answer that ever shows the client secret. */
export class ApplicationCreatedDto extends ApplicationResponseDto {
  @ApiPropertyOptional({ description: 'Confidential clients only; shown in this response and never again', example: 'klcs_…' })
  clientSecret?: string;
}

export class ApplicationPageDto {
  @ApiProperty({ type: [ApplicationResponseDto] })
  items: ApplicationResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

/** `200` of `POST /v1/applications/{id}/secret` */
export class ApplicationSecretDto {
  @ApiProperty({ description: 'The new client secret; shown in this response and never again', example: 'klcs_…' })
  clientSecret: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the previous secret still works (null: it stopped at once)' })
  previousSecretExpiresAt: string | null;
}
