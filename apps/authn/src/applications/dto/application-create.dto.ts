import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  APPLICATION_GRANT_TYPES,
  APPLICATION_TYPES,
  ID_TOKEN_SIGNING_ALGS,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type ApplicationGrantType,
  type ApplicationType,
  type IdTokenSigningAlg,
  type TokenEndpointAuthMethod,
} from '@keyline/authn-contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LIMITS, TTL_LIMITS } from '../applications.rules';

// Shapes only: the rules between fields (per type, URIs, keys) live in applications.rules.ts, where
// create and merge patch share them. `IsOptional` lets `null` through: on PATCH it resets a field to
// the type's default (JSON merge patch), on create it is the same as leaving the field out.

export class ApplicationClaimsDto {
  @ApiProperty({ type: [String], example: ['plan'], description: "Custom profile attributes this application receives in tokens" })
  @IsArray()
  @ArrayMaxSize(LIMITS.attributes)
  @IsString({ each: true })
  attributes: string[];
}

const Ttl = (field: keyof typeof TTL_LIMITS, description: string) => {
  const { min, max, default: dflt } = TTL_LIMITS[field];
  return applyDecorators(ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, default: dflt, description }), IsOptional(), IsInt(), Min(min), Max(max));
};

/** Every field of an application except its name and type. */
export class ApplicationFieldsDto {
  @ApiPropertyOptional({ default: true, description: 'First-party applications skip the consent screen' })
  @IsOptional()
  @IsBoolean()
  firstParty?: boolean | null;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://app.example.com/callback'],
    description: 'Exact redirect URIs: https, http only on loopback hosts, private-use schemes (com.example.app:/cb) for native apps; no wildcards or fragments',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.uris)
  @IsString({ each: true })
  redirectUris?: string[] | null;

  @ApiPropertyOptional({ type: [String], description: 'Where RP-initiated logout may return to; the same rules as redirectUris' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.uris)
  @IsString({ each: true })
  postLogoutRedirectUris?: string[] | null;

  @ApiPropertyOptional({
    enum: APPLICATION_GRANT_TYPES,
    isArray: true,
    description: 'Default: authorization_code + refresh_token; machine: client_credentials',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(APPLICATION_GRANT_TYPES.length)
  @IsIn(APPLICATION_GRANT_TYPES, { each: true })
  grantTypes?: ApplicationGrantType[] | null;

  @ApiPropertyOptional({ type: [String], description: 'Scopes it may request. Default: openid profile email offline_access; machine: none' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.scopes)
  @IsString({ each: true })
  scopes?: string[] | null;

  @ApiPropertyOptional({ type: [String], example: ['https://app.example.com'], description: 'Browser origins of an SPA allowed to call the token endpoint' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.uris)
  @IsString({ each: true })
  corsOrigins?: string[] | null;

  @ApiPropertyOptional({ enum: TOKEN_ENDPOINT_AUTH_METHODS, description: 'Default: client_secret_basic for web and machine, none (public) for spa and native' })
  @IsOptional()
  @IsIn(TOKEN_ENDPOINT_AUTH_METHODS)
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JWK Set of public keys for private_key_jwt', nullable: true })
  @IsOptional()
  @IsObject()
  jwks?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'URL of the JWK Set for private_key_jwt', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.uri)
  jwksUri?: string | null;

  @Ttl('accessTokenTtlSeconds', 'Access token lifetime')
  accessTokenTtlSeconds?: number | null;

  @Ttl('idTokenTtlSeconds', 'ID token lifetime')
  idTokenTtlSeconds?: number | null;

  @Ttl('refreshTokenTtlSeconds', 'Refresh token lifetime (refresh tokens always rotate)')
  refreshTokenTtlSeconds?: number | null;

  @ApiPropertyOptional({ description: 'OpenID Connect Back-Channel Logout endpoint of a web application', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.uri)
  backchannelLogoutUri?: string | null;

  @ApiPropertyOptional({ enum: ID_TOKEN_SIGNING_ALGS, default: 'ES256' })
  @IsOptional()
  @IsIn(ID_TOKEN_SIGNING_ALGS)
  idTokenSignedResponseAlg?: IdTokenSigningAlg | null;

  @ApiPropertyOptional({ type: ApplicationClaimsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ApplicationClaimsDto)
  claims?: ApplicationClaimsDto | null;
}

/** `POST /v1/applications` */
export class ApplicationCreateDto extends ApplicationFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: LIMITS.name, example: 'Acme web shop' })
  @IsString()
  @MaxLength(LIMITS.name)
  name: string;

  @ApiProperty({ enum: APPLICATION_TYPES, description: 'web and machine are confidential (a client secret); spa and native are public (PKCE)' })
  @IsIn(APPLICATION_TYPES)
  type: ApplicationType;
}

/** `PATCH /v1/applications/{id}`: a JSON merge patch (RFC 7396); `null` resets a field to its default. The type is fixed. */
export class ApplicationUpdateDto extends ApplicationFieldsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: LIMITS.name })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.name)
  name?: string;
}

/** `POST /v1/applications/{id}/secret` */
export class ApplicationSecretRotateDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 604_800, default: 0, description: 'How long the current secret keeps working beside the new one' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  gracePeriodSeconds?: number;
}
