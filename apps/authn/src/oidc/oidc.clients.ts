import type { ApplicationEntity } from '../applications/application.entity';

const INTERACTIVE = new Set(['web', 'spa', 'native']);

/** An application as oidc-provider client metadata (RFC 7591 names), plus Keyline's own properties. */
export function clientMetadata(app: ApplicationEntity): Record<string, unknown> {
  const interactive = INTERACTIVE.has(app.type);
  return {
    client_id: app.clientId,
    client_name: app.name,
    // The provider never sees a secret: it holds the keyed hash, and `compareClientSecret` hashes
    // what a client presents (client secrets are stored as a MAC, not in plain text).
    ...(app.secretHash ? { client_secret: app.secretHash } : {}),
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    grant_types: app.grantTypes,
    response_types: interactive ? ['code'] : [],
    redirect_uris: interactive ? app.redirectUris : [],
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.scopes.length ? { scope: app.scopes.join(' ') } : {}),
    id_token_signed_response_alg: app.idTokenSignedResponseAlg,
    ...(app.jwksUri ? { jwks_uri: app.jwksUri } : {}),
    ...(app.jwks ? { jwks: app.jwks } : {}),
    ...(app.backchannelLogoutUri ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    'urn:keyline:first_party': app.firstParty,
    'urn:keyline:cors_origins': app.corsOrigins,
    'urn:keyline:released_attributes': app.claims?.attributes ?? [],
    'urn:keyline:ttl': { AccessToken: app.accessTokenTtlSeconds, IdToken: app.idTokenTtlSeconds, RefreshToken: app.refreshTokenTtlSeconds },
  };
}

export const KEYLINE_CLIENT_PROPERTIES = ['urn:keyline:first_party', 'urn:keyline:cors_origins', 'urn:keyline:released_attributes', 'urn:keyline:ttl'] as const;
