import type { ApplicationEntity } from '../applications/application.entity';

/** The scopes every tenant's provider knows; API scopes arrive with resource indicators. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'] as const;
const KNOWN_SCOPES = new Set<string>(OIDC_SCOPES);

/** An application as oidc-provider client metadata (RFC 7591 names), plus Keyline's own properties. */
export function clientMetadata(app: ApplicationEntity): Record<string, unknown> {
  const code = app.grantTypes.includes('authorization_code');
  const scopes = app.scopes.filter((s) => KNOWN_SCOPES.has(s));
  return {
    client_id: app.clientId,
    client_name: app.name,
    // The provider never sees a secret: it holds the keyed hash, and `compareClientSecret` hashes
    // what a client presents (client secrets are stored as a MAC, not in plain text).
    ...(app.secretHash ? { client_secret: app.secretHash } : {}),
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    grant_types: app.grantTypes,
    // Custom-scheme redirects of native apps are allowed for `native` clients only (RFC 8252).
    application_type: app.type === 'native' ? 'native' : 'web',
    response_types: code ? ['code'] : [],
    redirect_uris: code ? app.redirectUris : [],
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(scopes.length ? { scope: scopes.join(' ') } : {}),
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
