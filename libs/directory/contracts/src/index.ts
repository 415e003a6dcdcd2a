/** Kafka topics of the directory context. */
export const DirectoryTopics = {
  tenant: 'keyline.directory.tenant.v1',
  apiKey: 'keyline.directory.api-key.v1',
  user: 'keyline.directory.user.v1',
  group: 'keyline.directory.group.v1',
  role: 'keyline.directory.role.v1',
  /**
   * Password credentials handed to authn (the owner of credentials): hashes set through the API or
   * imported from another system. Internal: only authn consumes it; it never carries a plain password.
   */
  credential: 'keyline.directory.credential.v1',
} as const;

/** Topics other contexts may consume (audit, webhooks, read models); `credential` is authn's alone. */
export const DirectoryPublicTopics = [
  DirectoryTopics.tenant,
  DirectoryTopics.apiKey,
  DirectoryTopics.user,
  DirectoryTopics.group,
  DirectoryTopics.role,
] as const;

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

export const USER_STATUSES = ['active', 'suspended', 'deleted'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/**
 * A user as other contexts see it (authn needs identifiers, status and claims; consent needs existence
 * and deletion). `attributes` holds only attributes whose sensitivity is not `sensitive`.
 */
export interface UserData {
  id: string;
  tenantId: string;
  email: string | null;
  emailVerified: boolean;
  phoneNumber: string | null;
  phoneNumberVerified: boolean;
  username: string | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  locale: string | null;
  picture: string | null;
  status: UserStatus;
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface UserDeletedData {
  id: string;
  tenantId: string;
  deletedAt: string;
}

export interface GroupData {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
}

export interface GroupMembersData {
  groupId: string;
  tenantId: string;
  userIds: string[];
}

export interface RoleData {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  permissions: string[];
}

export interface RoleAssignmentData {
  roleId: string;
  tenantId: string;
  subjectType: 'user' | 'group';
  subjectId: string;
}

/** Supported formats of password hashes handed to authn. */
export const PASSWORD_HASH_FORMATS = ['argon2id', 'argon2i', 'bcrypt', 'pbkdf2-sha256', 'pbkdf2-sha512', 'scrypt', 'salted-sha256'] as const;
export type PasswordHashFormat = (typeof PASSWORD_HASH_FORMATS)[number];

/** A password credential for authn: a hash (never a password) in one of the supported formats. */
export interface PasswordCredentialData {
  userId: string;
  tenantId: string;
  format: PasswordHashFormat;
  /** The hash as a PHC string (`$argon2id$...`, `$pbkdf2-sha256$...`) or bcrypt's modular crypt format. */
  hash: string;
  /** `api`: set through the API (already hashed with the current algorithm); `import`: from another system. */
  source: 'api' | 'import';
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
  'profile-schema.updated': { tenantId: string; version: number; attributes: string[] };
  'user.created': UserData;
  /** `changes`: the names of changed fields (`email`, `attributes.plan`), never values of sensitive ones. */
  'user.updated': UserData & { changes: string[] };
  'user.suspended': UserData;
  'user.reactivated': UserData;
  'user.deleted': UserDeletedData;
  'group.created': GroupData;
  'group.updated': GroupData & { changes: string[] };
  'group.deleted': GroupData;
  'group.members-added': GroupMembersData;
  'group.members-removed': GroupMembersData;
  'role.created': RoleData;
  'role.updated': RoleData & { changes: string[] };
  'role.deleted': RoleData;
  'role.assigned': RoleAssignmentData;
  'role.unassigned': RoleAssignmentData;
  'credential.password-set': PasswordCredentialData;
};

/** Topic of each directory event type. */
export const DirectoryEventTopics = {
  'tenant.created': DirectoryTopics.tenant,
  'tenant.updated': DirectoryTopics.tenant,
  'api-key.created': DirectoryTopics.apiKey,
  'api-key.revoked': DirectoryTopics.apiKey,
  'profile-schema.updated': DirectoryTopics.tenant,
  'user.created': DirectoryTopics.user,
  'user.updated': DirectoryTopics.user,
  'user.suspended': DirectoryTopics.user,
  'user.reactivated': DirectoryTopics.user,
  'user.deleted': DirectoryTopics.user,
  'group.created': DirectoryTopics.group,
  'group.updated': DirectoryTopics.group,
  'group.deleted': DirectoryTopics.group,
  'group.members-added': DirectoryTopics.group,
  'group.members-removed': DirectoryTopics.group,
  'role.created': DirectoryTopics.role,
  'role.updated': DirectoryTopics.role,
  'role.deleted': DirectoryTopics.role,
  'role.assigned': DirectoryTopics.role,
  'role.unassigned': DirectoryTopics.role,
  'credential.password-set': DirectoryTopics.credential,
} as const satisfies Record<keyof DirectoryEvents, string>;

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

/**
 * The directory's internal HTTP API for other services (internal token, never through the gateway),
 * used where a synchronous answer is unavoidable: sign-up creating a user, verified email changes,
 * self-service profile edits, and a tenant that is not yet in a read model.
 */
export const DirectoryInternalPaths = {
  tenantBySlug: (slug: string) => `/internal/tenants/by-slug/${encodeURIComponent(slug)}`,
  users: (tenantId: string) => `/internal/tenants/${tenantId}/users`,
  user: (tenantId: string, userId: string) => `/internal/tenants/${tenantId}/users/${userId}`,
  selfProfile: (tenantId: string, userId: string) => `/internal/tenants/${tenantId}/users/${userId}/self`,
  profileSchema: (tenantId: string) => `/internal/tenants/${tenantId}/profile-schema`,
} as const;

/** A profile-schema attribute as other services need it (sign-up forms, self-service). */
export interface ProfileAttributeView {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'enum' | 'string-list';
  description?: string;
  required: boolean;
  allowedValues?: string[];
  maxLength?: number;
  userEditable: boolean;
  registration: boolean;
}

/** Profile fields a user may set about themselves (sign-up, self-service); never identifiers or status. */
export const SELF_PROFILE_FIELDS = ['givenName', 'familyName', 'displayName', 'locale', 'picture'] as const;
export type SelfProfileField = (typeof SELF_PROFILE_FIELDS)[number];

/** A user's own view of their profile: everything but server-only `appMetadata`. */
export interface SelfProfile extends Omit<UserData, 'attributes'> {
  attributes: Record<string, unknown>;
}
