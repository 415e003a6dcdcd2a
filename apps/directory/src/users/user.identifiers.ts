/**
 * Identifier rules. Display values keep what the user typed (trimmed); keys are what uniqueness and
 * exact lookups compare: lower-cased (emails and usernames are case-insensitive in practice, even if
 * RFC 5321 allows case-sensitive local parts) and Unicode-normalised, so `Ａlice` and `alice` collide.
 */

/** Pragmatic address syntax: one @, no spaces or controls, a dotted domain; the mailbox proves the rest. */
export const EMAIL = /^[^\s@\p{Cc}]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;
/** ITU-T E.164: a plus, a non-zero country code digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** Usernames (SCIM `userName` is often a UPN such as alice@contoso.com): visible characters, no spaces. */
export const USERNAME = /^[^\s\p{Cc}\p{Z}]{1,256}$/u;

export const EMAIL_MAX = 320;

export function isEmail(v: string): boolean {
  return v.length <= EMAIL_MAX && EMAIL.test(v);
}

export function isE164(v: string): boolean {
  return E164.test(v);
}

export function isUsername(v: string): boolean {
  return USERNAME.test(v);
}

export const emailKey = (email: string) => email.normalize('NFKC').toLowerCase();
export const usernameKey = (username: string) => username.normalize('NFKC').toLowerCase();
export const nameKey = (name: string | null) => (name === null ? null : name.normalize('NFKC').toLowerCase().slice(0, 100));

export const EMAIL_MESSAGE = 'email must be an email address';
export const PHONE_MESSAGE = 'phoneNumber must be in E.164 format, e.g. +14155550100';
export const USERNAME_MESSAGE = 'username must be 1 to 256 visible characters without spaces';

/** BCP 47 language tag, loosely: `en`, `en-US`, `zh-Hant-TW`. */
export const LOCALE = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,4}$/;
