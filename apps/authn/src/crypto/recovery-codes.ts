import { createHmac, randomInt } from 'node:crypto';

/** 31 symbols without the look-alikes 0/o, 1/i/l. */
export const RECOVERY_CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const CODE_LENGTH = 10;
const CANONICAL = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/**
 * `n` distinct single-use MFA recovery codes, `xxxxx-xxxxx`: 10 symbols of 31, log2(31^10) ≈ 49.5 bits each.
 * `randomInt` rejects out-of-range draws, so every symbol is uniform (no modulo bias).
 */
export function generateRecoveryCodes(n = 10): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new RangeError('n must be an integer from 1 to 100');
  const codes = new Set<string>();
  while (codes.size < n) {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)];
    codes.add(`${code.slice(0, 5)}-${code.slice(5)}`);
  }
  return [...codes];
}

/** The canonical form of what a user typed (any case, spaces and dashes anywhere), or null if it cannot be a code. */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.normalize('NFKC').toLowerCase().replace(/[\s-]+/g, '');
  return CANONICAL.test(code) ? code : null;
}

/**
 * HMAC-SHA256(pepper, code), base64url, for storing and looking up a canonical code. A slow password hash
 * is not needed: the codes are random, so there is no dictionary to try first, and a leaked table alone
 * gives nothing without the pepper, which lives in configuration, not in the database. Being
 * deterministic, the hash can be looked up by index instead of trying each of a user's codes in turn.
 */
export function hashRecoveryCode(normalised: string, pepper: string): string {
  if (!CANONICAL.test(normalised)) throw new RangeError('hashRecoveryCode expects the output of normaliseRecoveryCode');
  if (!pepper) throw new RangeError('pepper must not be empty');
  return createHmac('sha256', pepper).update(normalised).digest('base64url');
}
