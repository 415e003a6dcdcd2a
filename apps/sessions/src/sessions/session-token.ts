import { randomBytes } from 'node:crypto';
import { SESSION_TOKEN_PREFIX } from '@keyline/sessions-contracts';

/** 256 random bits: unguessable, so a plain SHA-256 of the token is a safe storage key. */
export const SESSION_TOKEN_BYTES = 32;

export function newSessionToken(): string {
  return SESSION_TOKEN_PREFIX + randomBytes(SESSION_TOKEN_BYTES).toString('base64url');
}
