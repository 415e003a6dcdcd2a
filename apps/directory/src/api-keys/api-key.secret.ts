import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, PLATFORM_KEY_PREFIX } from '@keyline/directory-contracts';
import type { ApiKeyKind } from './api-key.entity';

/** Random bytes in a key: 256 bits, so keys cannot be guessed and a plain SHA-256 suffices to store them. */
export const API_KEY_SECRET_BYTES = 32;
/** Characters of a key kept for display (`prefix`). */
export const API_KEY_DISPLAY_LENGTH = 12;

/** A new key: `kl_<43 base64url chars>` for tenants, `kl_admin_<43 chars>` for the platform. */
export function generateApiKey(kind: ApiKeyKind): string {
  const prefix = kind === 'platform' ? PLATFORM_KEY_PREFIX : API_KEY_PREFIX;
  for (;;) {
    const key = prefix + randomBytes(API_KEY_SECRET_BYTES).toString('base64url');
    // A tenant key must never look like a platform key, however unlikely the random draw.
    if (kind === 'platform' || !key.startsWith(PLATFORM_KEY_PREFIX)) return key;
  }
}

/** Hex SHA-256 of a key: how keys are stored and looked up (the gateway computes the same). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key that may be shown again after creation. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_DISPLAY_LENGTH);
}
