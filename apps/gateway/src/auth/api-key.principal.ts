import type { ApiKeyRecord } from '@keyline/directory-contracts';
import { API_KEY_PREFIX } from '@keyline/directory-contracts';
import { Principal, encodePrincipal } from '@keyline/platform-http';

/** An authenticated key, prepared once per cache fill so that the hot path only copies strings. */
export interface ValidKey {
  valid: true;
  keyId: string;
  kind: Principal['kind'];
  /** `x-keyline-principal` value. */
  principal: string;
  /** Redis key of the key's token bucket. */
  bucket: string;
}

export interface InvalidKey {
  valid: false;
  /** `throttled`: the key was not known and the caller's address may not ask the directory now. */
  reason: 'unknown' | 'revoked' | 'throttled';
}

export type KeyCheck = ValidKey | InvalidKey;

export const UNKNOWN_KEY: InvalidKey = Object.freeze({ valid: false, reason: 'unknown' });
export const REVOKED_KEY: InvalidKey = Object.freeze({ valid: false, reason: 'revoked' });
export const THROTTLED_KEY: InvalidKey = Object.freeze({ valid: false, reason: 'throttled' });

const MAX_KEY_LENGTH = 512;
const KEY_BODY = /^[\x21-\x7e]{8,}$/;

/** The key of `Authorization: Bearer kl_...`; undefined when absent or not shaped like a Keyline key. */
export function bearerKey(authorization: string | string[] | undefined): string | undefined {
  if (typeof authorization !== 'string' || authorization.length > MAX_KEY_LENGTH + 16) return undefined;
  const space = authorization.indexOf(' ');
  if (space !== 6 || authorization.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const key = authorization.slice(7).trim();
  if (!key.startsWith(API_KEY_PREFIX) || key.length > MAX_KEY_LENGTH || !KEY_BODY.test(key.slice(API_KEY_PREFIX.length))) {
    return undefined;
  }
  return key;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Validates a record read from Redis or the directory; anything malformed is treated as absent. */
export function parseApiKeyRecord(value: unknown): ApiKeyRecord | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  switch (r.kind) {
    case 'unknown':
      return { kind: 'unknown' };
    case 'revoked':
      return typeof r.keyId === 'string' ? { kind: 'revoked', keyId: r.keyId, revoked: true } : undefined;
    case 'platform':
      if (r.revoked === true || typeof r.keyId !== 'string' || !isStringArray(r.scopes)) return undefined;
      return { kind: 'platform', keyId: r.keyId, scopes: r.scopes };
    case 'tenant':
      if (r.revoked === true || typeof r.keyId !== 'string' || !isStringArray(r.scopes)) return undefined;
      if (typeof r.tenantId !== 'string' || typeof r.tenantSlug !== 'string') return undefined;
      return { kind: 'tenant', keyId: r.keyId, tenantId: r.tenantId, tenantSlug: r.tenantSlug, scopes: r.scopes };
    default:
      return undefined;
  }
}

/** What the gateway forwards for a record: the principal services trust, or why the key fails. */
export function keyCheckOf(record: ApiKeyRecord): KeyCheck {
  switch (record.kind) {
    case 'unknown':
      return UNKNOWN_KEY;
    case 'revoked':
      return REVOKED_KEY;
    case 'platform': {
      const principal: Principal = { kind: 'platform', keyId: record.keyId, scopes: record.scopes };
      return { valid: true, keyId: record.keyId, kind: 'platform', principal: encodePrincipal(principal), bucket: `kl:rl:key:${record.keyId}` };
    }
    case 'tenant': {
      const principal: Principal = {
        kind: 'tenant',
        keyId: record.keyId,
        tenantId: record.tenantId,
        tenantSlug: record.tenantSlug,
        scopes: record.scopes,
      };
      return { valid: true, keyId: record.keyId, kind: 'tenant', principal: encodePrincipal(principal), bucket: `kl:rl:key:${record.keyId}` };
    }
  }
}
