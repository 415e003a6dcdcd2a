import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * A numeric code to send by email, uniformly drawn (`randomInt` has no modulo bias). Six digits are
 * 20 bits: safe only with few attempts per code and a short lifetime, which the caller enforces.
 */
export function generateNumericCode(digits = 6): string {
  if (!Number.isInteger(digits) || digits < 4 || digits > 10) throw new RangeError('digits must be an integer from 4 to 10');
  return randomInt(10 ** digits).toString().padStart(digits, '0');
}

/**
 * HMAC-SHA256(pepper, code), base64url. Keyed, because a 6-digit code's plain hash is reversed by trying a
 * million values; without the pepper (configuration, not database) a leaked row reveals nothing.
 * Spaces are ignored and fullwidth digits read as ASCII, so "123 456" matches "123456".
 */
export function hashCode(code: string, pepper: string): string {
  if (!pepper) throw new RangeError('pepper must not be empty');
  return createHmac('sha256', pepper).update(code.normalize('NFKC').replace(/\s+/g, '')).digest('base64url');
}

/** Compares two hashes from `hashCode` in constant time. */
export function codesEqual(hashA: string, hashB: string): boolean {
  const a = Buffer.from(hashA, 'utf8');
  const b = Buffer.from(hashB, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 256 random bits, base64url: for email verification and password reset links. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a token, base64url, for storing and looking up by index. 256 random bits need neither salt
 * nor pepper nor a slow hash; storing only the hash keeps a leaked table from yielding working links.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
