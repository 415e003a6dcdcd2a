/** Kafka topics of the directory context. */
export const DirectoryTopics = {
  tenant: 'keyline.directory.tenant.v1',
  apiKey: 'keyline.directory.api-key.v1',
} as const;

export interface TenantData {
  id: string;
  slug: string;
  name: string;
  createdAt: string;
  /** Browser origins allowed to call the tenant's public endpoints (CORS). */
  corsOrigins?: string[];
}

export interface ApiKeyData {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: string[];
}

/**
 * Directory events by type (event envelope `data`). A type alias rather than an interface so that it
 * satisfies the messaging library's `EventMap` (interfaces have no implicit index signature).
 */
export type DirectoryEvents = {
  'tenant.created': TenantData;
  'tenant.updated': TenantData & { changes: string[] };
  'api-key.created': ApiKeyData;
  'api-key.revoked': ApiKeyData & { revokedAt: string };
};

/** Topic of each directory event type. */
export const DirectoryEventTopics = {
  'tenant.created': DirectoryTopics.tenant,
  'tenant.updated': DirectoryTopics.tenant,
  'api-key.created': DirectoryTopics.apiKey,
  'api-key.revoked': DirectoryTopics.apiKey,
} as const;

/** Scopes a tenant API key may carry; `admin` allows everything within its tenant. */
export const API_KEY_SCOPES = [
  'admin',
  'users:read',
  'users:write',
  'scim',
  'audit:read',
  'consents:read',
  'consents:write',
  'sessions:read',
  'sessions:write',
  'applications:read',
  'applications:write',
  'tenants:read',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Prefix of every tenant API key; platform admin keys use `kl_admin_`. */
export const API_KEY_PREFIX = 'kl_';
export const PLATFORM_KEY_PREFIX = 'kl_admin_';

/**
 * What the gateway needs to authenticate a key, cached in Redis under `apiKeyCacheKey(sha256)` by the
 * directory (the owner of keys) and read by the gateway on the hot path.
 */
export type ApiKeyRecord =
  | { kind: 'platform'; keyId: string; scopes: string[]; revoked?: false }
  | { kind: 'tenant'; keyId: string; tenantId: string; tenantSlug: string; scopes: string[]; revoked?: false }
  | { kind: 'revoked'; keyId: string; revoked: true }
  | { kind: 'unknown' };

/** Redis key of a cached key record; `hash` is the hex SHA-256 of the presented key. */
export const apiKeyCacheKey = (hash: string) => `kl:apikey:${hash}`;
/** Redis pub/sub channel on which the directory announces revocations (payload: the key hash). */
export const API_KEY_REVOKED_CHANNEL = 'kl:apikey:revoked';
/** Redis key where the gateway records a key's last use (epoch ms), read back by the directory. */
export const apiKeyLastUsedKey = (keyId: string) => `kl:apikey:lastused:${keyId}`;

/** Internal route the gateway calls when a key is not in Redis (cold cache): POST { hash } -> ApiKeyRecord. */
export const API_KEY_RESOLVE_PATH = '/internal/api-keys/resolve';

/** Valid tenant slug (CONTRACT.md). */
export const TENANT_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;

/**
 * Redis key holding a tenant's allowed CORS origins (JSON string array), written by the directory
 * whenever they change so the gateway can answer CORS on `/t/<slug>/` paths. Absent: no origins.
 */
export const tenantCorsKey = (slug: string) => `kl:tenant-cors:${slug}`;
