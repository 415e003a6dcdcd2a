/** Consumer group of authn's identity read model (directory user and credential events). */
export const AUTHN_IDENTITIES_CONSUMER_GROUP = 'authn-identities';

/** Kafka topics of the authn context, keyed by tenant like every event topic. */
export const AuthnTopics = {
  /** Sign-ins, failures, lockouts and sign-outs. */
  signIn: 'keyline.authn.sign-in.v1',
  /** Changes to a user's credentials and factors: sign-up, password, email verification, MFA. */
  account: 'keyline.authn.account.v1',
  /** A tenant's OAuth clients (applications): created, changed, secret rotated, deleted. */
  application: 'keyline.authn.application.v1',
  /** A tenant's token signing keys: rotations. */
  keys: 'keyline.authn.keys.v1',
  /** The OAuth/OIDC provider: tokens issued, refresh-token reuse. */
  oauth: 'keyline.authn.oauth.v1',
} as const;

/** A token the provider issued (never the token itself). */
export interface TokenIssuedData {
  clientId: string;
  /** The user, or null for client-credentials tokens. */
  subject: string | null;
  /** The grant that produced it: `authorization_code`, `refresh_token`, `client_credentials`, `urn:ietf:params:oauth:grant-type:device_code`. */
  grantType: string | null;
  tokenType: 'access_token' | 'refresh_token';
  scope: string | null;
  expiresAt: string;
}

/** A spent refresh token came back: its whole grant (every token issued from it) was revoked. */
export interface RefreshReuseData {
  clientId: string | null;
  subject: string | null;
  grantId: string;
}

/** How a user proved who they are (RFC 8176 `amr` values where one exists). */
export type AuthMethod = 'pwd' | 'otp' | 'email' | 'rc' | 'mfa';

/** Why a sign-in failed; stable codes for audit and webhooks (never whether the account exists to the caller). */
export type SignInFailure = 'invalid_credentials' | 'locked' | 'throttled' | 'invalid_code' | 'replayed_code' | 'account_unavailable' | 'email_not_verified';

/** Where a request came from, as far as the platform knows. */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
}

export interface SignedUpData extends ClientContext {
  userId: string;
  method: 'password';
}

export interface SignedInData extends ClientContext {
  userId: string;
  sessionId: string;
  /** The methods used, in order (`pwd`, `otp`, ...). */
  amr: AuthMethod[];
  mfa: boolean;
  /** `true` for a step-up of an existing session. */
  stepUp: boolean;
}

export interface SignInFailedData extends ClientContext {
  /** Set only when the identifier matched a user: audit may know, the caller never does. */
  userId: string | null;
  reason: SignInFailure;
  /** The factor that failed. */
  method: 'password' | 'email-code' | 'totp' | 'recovery-code';
}

export interface LockedOutData extends ClientContext {
  userId: string;
  until: string;
  failures: number;
}

export interface SignedOutData {
  userId: string;
  sessionId: string;
}

export interface PasswordChangedData extends ClientContext {
  userId: string;
  /** `change`: by the user with the current password; `reset`: through a reset link. */
  via: 'change' | 'reset';
  otherSessionsRevoked: boolean;
}

export interface MfaFactorData extends ClientContext {
  userId: string;
  factor: 'totp' | 'recovery-codes' | 'email-code';
}

export interface EmailVerifiedData {
  userId: string;
  email: string;
}

export interface LockoutClearedData {
  userId: string;
  via: 'admin' | 'password-reset';
}

/** OAuth client types: `web` and `machine` are confidential (they hold a secret), `spa` and `native` public (PKCE). */
export const APPLICATION_TYPES = ['web', 'spa', 'native', 'machine'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** Grant types an application may use (RFC 6749, RFC 8628). */
export const APPLICATION_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const;
export type ApplicationGrantType = (typeof APPLICATION_GRANT_TYPES)[number];

/** How an application authenticates at the token endpoint (OpenID Connect Core §9); `none` for public clients. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** Algorithms an application's ID tokens may be signed with. */
export const ID_TOKEN_SIGNING_ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
export type IdTokenSigningAlg = (typeof ID_TOKEN_SIGNING_ALGS)[number];

/** An application (OAuth client) as events and the API show it: never its secret or the secret's hash. */
export interface ApplicationData {
  id: string;
  tenantId: string;
  /** Public OAuth `client_id`. */
  clientId: string;
  name: string;
  type: ApplicationType;
  /** First-party applications skip the consent screen. */
  firstParty: boolean;
  /** Exact-match redirect URIs. */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: ApplicationGrantType[];
  /** Scopes the application may request. */
  scopes: string[];
  /** Browser origins allowed to call the token endpoint (SPAs). */
  corsOrigins: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Public keys for `private_key_jwt` (RFC 7517 JWK Set), or null. */
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Always true: every refresh returns a new refresh token and retires the old one. */
  refreshTokenRotation: boolean;
  backchannelLogoutUri: string | null;
  idTokenSignedResponseAlg: IdTokenSigningAlg;
  /** Custom profile attributes released to this application in tokens. */
  claims: { attributes: string[] };
  /** Until when the secret before the last rotation still works, or null. */
  previousSecretExpiresAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ApplicationUpdatedData extends ApplicationData {
  /** Names of the fields the change touched. */
  changes: string[];
}

export interface ApplicationDeletedData extends ApplicationData {
  deletedAt: string;
}

/** New signing keys of a tenant: published now, signing from `activatesAt` on. Never any key material. */
export interface KeysRotatedData {
  tenantId: string;
  /** The new keys' ids (JWS `kid`), one per rotated alg, in the order of `algs`. */
  kids: string[];
  algs: string[];
  activatesAt: string;
}

/** authn events by type (event envelope `data`). None carries a secret, code or token. */
export type AuthnEvents = {
  'authn.signed-up': SignedUpData;
  'authn.signed-in': SignedInData;
  'authn.sign-in-failed': SignInFailedData;
  'authn.locked-out': LockedOutData;
  'authn.lockout-cleared': LockoutClearedData;
  'authn.signed-out': SignedOutData;
  'authn.password-changed': PasswordChangedData;
  'authn.email-verified': EmailVerifiedData;
  'authn.mfa-enrolled': MfaFactorData;
  'authn.mfa-removed': MfaFactorData;
  'application.created': ApplicationData;
  'application.updated': ApplicationUpdatedData;
  'application.deleted': ApplicationDeletedData;
  'application.secret-rotated': ApplicationData;
  'keys.rotated': KeysRotatedData;
  'oauth.token-issued': TokenIssuedData;
  'oauth.refresh-reuse-detected': RefreshReuseData;
};

/** The topic of each authn event. */
export const AuthnEventTopics = {
  'authn.signed-up': AuthnTopics.account,
  'authn.signed-in': AuthnTopics.signIn,
  'authn.sign-in-failed': AuthnTopics.signIn,
  'authn.locked-out': AuthnTopics.signIn,
  'authn.lockout-cleared': AuthnTopics.signIn,
  'authn.signed-out': AuthnTopics.signIn,
  'authn.password-changed': AuthnTopics.account,
  'authn.email-verified': AuthnTopics.account,
  'authn.mfa-enrolled': AuthnTopics.account,
  'authn.mfa-removed': AuthnTopics.account,
  'application.created': AuthnTopics.application,
  'application.updated': AuthnTopics.application,
  'application.deleted': AuthnTopics.application,
  'application.secret-rotated': AuthnTopics.application,
  'keys.rotated': AuthnTopics.keys,
  'oauth.token-issued': AuthnTopics.oauth,
  'oauth.refresh-reuse-detected': AuthnTopics.oauth,
} as const satisfies Record<keyof AuthnEvents, string>;

/** Topics other contexts may consume (audit, webhooks). */
export const AuthnPublicTopics = [AuthnTopics.signIn, AuthnTopics.account, AuthnTopics.application, AuthnTopics.keys, AuthnTopics.oauth] as const;
