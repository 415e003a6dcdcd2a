import { createHash } from 'node:crypto';

/** Prefix of every SSO session token (`kls_` + 32 random bytes as base64url). */
export const SESSION_TOKEN_PREFIX = 'kls_';
/** Shape of a session token; anything else is unknown to the sessions service. */
export const SESSION_TOKEN_PATTERN = /^kls_[A-Za-z0-9_-]{43}$/;
/** Shape of a session id: base64url SHA-256 of the token (43 characters). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** One authentication method reference (RFC 8176 style, e.g. `pwd`, `otp`, `webauthn`). */
export const SESSION_AMR_PATTERN = /^[a-z0-9_-]{1,16}$/;
/** An OAuth client id that may join a session. */
export const SESSION_CLIENT_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,128}$/;

/** Bounds of what callers may send; authn picks the actual TTLs ("remember me" is its policy). */
export const SESSION_LIMITS = {
  idleTtlMinMs: 60_000,
  idleTtlMaxMs: 90 * 24 * 3600_000,
  absoluteTtlMinMs: 60_000,
  absoluteTtlMaxMs: 400 * 24 * 3600_000,
  amrMaxItems: 8,
  acrMaxLength: 128,
  /** User agents are kept up to this length (longer ones are truncated, not refused). */
  userAgentMaxLength: 512,
  /** Longest user agent accepted in a request. */
  userAgentMaxInput: 4096,
} as const;

/** Problem code of a session that is unknown, expired or revoked (all three answer the same 404). */
export const SESSION_NOT_FOUND = 'session_not_found';

/** Routes of the internal API that authn calls (internal token, never exposed by the gateway). */
export const SESSIONS_INTERNAL_PATHS = {
  create: '/internal/sessions',
  touch: '/internal/sessions/touch',
  elevate: '/internal/sessions/elevate',
  revoke: '/internal/sessions/revoke',
  revokeUser: '/internal/sessions/revoke-user',
  list: '/internal/sessions',
  /** `DELETE` with `?tenantId=`; build it with `sessionInternalPath(id, tenantId)`. */
  byId: '/internal/sessions/:id',
} as const;

/** Whether a string has the shape of a session token (cheap pre-check before calling the service). */
export function isSessionToken(token: unknown): token is string {
  return typeof token === 'string' && SESSION_TOKEN_PATTERN.test(token);
}

/** The id of the session a token opens: base64url SHA-256 of the token (only this is stored). */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Path of `DELETE /internal/sessions/{id}?tenantId=`. */
export function sessionInternalPath(id: string, tenantId: string): string {
  return `/internal/sessions/${encodeURIComponent(id)}?tenantId=${encodeURIComponent(tenantId)}`;
}

/** An SSO session as the internal API answers it; times are ISO 8601. */
export interface SessionView {
  id: string;
  tenantId: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  /** When the session ends unless used again (never later than `expiresAt`). */
  idleExpiresAt: string;
  /** Absolute end of the session; activity never extends it. */
  expiresAt: string;
  amr: string[];
  acr: string;
  /** IP and user agent at creation. */
  ip: string | null;
  userAgent: string | null;
  /** IP and user agent of the latest use. */
  lastIp: string | null;
  lastUserAgent: string | null;
  /** Readable device name from the user agent, e.g. `Chrome on macOS`, or `Unknown device`. */
  device: string;
  /** Client ids that joined the session. */
  clients: string[];
}

/** Body of `POST /internal/sessions`. */
export interface SessionCreateRequest {
  tenantId: string;
  userId: string;
  /** 1..8 items matching `SESSION_AMR_PATTERN`. */
  amr: string[];
  acr: string;
  ip?: string;
  userAgent?: string;
  /** Sliding idle lifetime: 60 s..90 days, at most `absoluteTtlMs`. */
  idleTtlMs: number;
  /** Absolute lifetime: 60 s..400 days. */
  absoluteTtlMs: number;
  /** Client the user signed in to, recorded in `clients`. */
  clientId?: string;
}

/** Answer (201) of `POST /internal/sessions`: the only time the token is ever returned. */
export interface SessionCreateResponse {
  token: string;
  session: SessionView;
}

/** Body of `POST /internal/sessions/touch`; answers 200 `SessionView` or 404 `session_not_found`. */
export interface SessionTouchRequest {
  token: string;
  ip?: string;
  userAgent?: string;
  /** A client that now uses the session (added to `clients` once). */
  clientId?: string;
}

/** Body of `POST /internal/sessions/elevate`: `amr` is added to the session's set, `acr` replaces its acr. */
export interface SessionElevateRequest {
  token: string;
  amr: string[];
  acr: string;
}

/** Body of `POST /internal/sessions/revoke`; answers 204 whether or not the session existed. */
export interface SessionRevokeRequest {
  token: string;
}

/** Query of `DELETE /internal/sessions/{id}`: the session is revoked only if it belongs to this tenant. */
export interface SessionDeleteQuery {
  tenantId: string;
}

/** Body of `POST /internal/sessions/revoke-user`: every session of the user but `exceptId` (a session id). */
export interface SessionRevokeUserRequest {
  tenantId: string;
  userId: string;
  exceptId?: string;
}

/** Answer of `POST /internal/sessions/revoke-user`: how many live sessions were revoked. */
export interface SessionRevokeUserResponse {
  revoked: number;
}

/** Query of `GET /internal/sessions`. */
export interface SessionListQuery {
  tenantId: string;
  userId: string;
}

/** Answer of `GET /internal/sessions`: live sessions, newest first. */
export interface SessionListResponse {
  items: SessionView[];
}
