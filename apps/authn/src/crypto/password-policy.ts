import { codePointLength, foldPassword, normalisePassword } from './password-text';

/** Longest password accepted, in code points after NFKC. Fixed: it bounds hashing work, not user choice. */
export const PASSWORD_MAX_LENGTH = 256;
const MIN_LENGTH_FLOOR = 8;
const HISTORY_SIZE_MAX = 24;
/** An email local part or username shorter than this is too generic to forbid inside passwords. */
const IDENTIFIER_MIN_LENGTH = 4;

/**
 * A tenant's password rules, after NIST SP 800-63B §5.1.1.2: a minimum length, a blocklist, no composition
 * rules (no "one digit, one symbol"), every Unicode character allowed, spaces included.
 */
export interface PasswordPolicy {
  /** Code points after NFKC, 8..256. Default 8. */
  minLength: number;
  maxLength: typeof PASSWORD_MAX_LENGTH;
  /** Refuse passwords on the common password list. Default true. */
  rejectCommon: boolean;
  /** Refuse passwords containing the email local part or the username (when ≥ 4 characters). Default true. */
  rejectContextWords: boolean;
  /** How many previous passwords may not be reused, 0..24. Default 0 (NIST does not ask for history). */
  historySize: number;
}

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  minLength: MIN_LENGTH_FLOOR,
  maxLength: PASSWORD_MAX_LENGTH,
  rejectCommon: true,
  rejectContextWords: true,
  historySize: 0,
});

export type PasswordViolation = 'password_too_short' | 'password_too_long' | 'password_common' | 'password_contains_identifier';

/** Who the password is for, so that it may not contain their identifiers. */
export interface PasswordContext {
  email?: string | null;
  username?: string | null;
}

/** What `checkPassword` needs of the common password list; `CommonPasswords` is one. */
export interface CommonPasswordList {
  has(password: string): boolean;
}

/**
 * Every rule of `policy` that `password` breaks; empty when it is acceptable. Lengths are code points
 * after NFKC. A password of only whitespace counts as too short, whatever its length.
 */
export function checkPassword(
  policy: PasswordPolicy,
  password: string,
  context: PasswordContext,
  common: CommonPasswordList,
): PasswordViolation[] {
  // NFKC turns at most 4 code points into one (the longest canonical decomposition) and a code point is at
  // most 2 UTF-16 units, so anything longer than this is too long after NFKC too: skip normalising it.
  if (password.length > 8 * PASSWORD_MAX_LENGTH) return ['password_too_long'];
  const normalised = normalisePassword(password);
  const length = codePointLength(normalised);
  if (length > PASSWORD_MAX_LENGTH) return ['password_too_long'];

  const violations: PasswordViolation[] = [];
  if (length < policy.minLength || normalised.trim() === '') violations.push('password_too_short');
  if (policy.rejectCommon && common.has(normalised)) violations.push('password_common');
  if (policy.rejectContextWords && containsIdentifier(normalised, context)) violations.push('password_contains_identifier');
  return violations;
}

function containsIdentifier(password: string, context: PasswordContext): boolean {
  const folded = foldPassword(password);
  return identifiers(context).some((id) => folded.includes(id));
}

/** Folded identifiers to look for: the email local part (with and without a +tag) and the username. */
function identifiers({ email, username }: PasswordContext): string[] {
  const candidates: string[] = [];
  if (email) {
    const at = email.lastIndexOf('@');
    const local = at === -1 ? email : email.slice(0, at);
    candidates.push(local, local.split('+')[0]);
  }
  if (username) candidates.push(username);
  return candidates.map((c) => foldPassword(c.trim())).filter((c) => codePointLength(c) >= IDENTIFIER_MIN_LENGTH);
}

export interface PolicyValidationError {
  field: string;
  message: string;
}

/**
 * Validates a policy from the admin API. Missing fields take their defaults, so a client may send only
 * what it changes; unknown fields are refused rather than ignored, so a typo does not pass silently.
 */
export function validatePolicy(input: unknown): { policy?: PasswordPolicy; errors: PolicyValidationError[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { errors: [{ field: '', message: 'must be an object' }] };
  }
  const errors: PolicyValidationError[] = [];
  const fields = input as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_PASSWORD_POLICY));
  for (const key of Object.keys(fields)) {
    if (!known.has(key)) errors.push({ field: key, message: 'is not a password policy field' });
  }
  const value = <K extends keyof PasswordPolicy>(key: K): unknown => (Object.hasOwn(fields, key) ? fields[key] : DEFAULT_PASSWORD_POLICY[key]);
  const integer = (key: 'minLength' | 'historySize', min: number, max: number): number => {
    const v = value(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      errors.push({ field: key, message: `must be an integer from ${min} to ${max}` });
    }
    return v as number;
  };
  const boolean = (key: 'rejectCommon' | 'rejectContextWords'): boolean => {
    const v = value(key);
    if (typeof v !== 'boolean') errors.push({ field: key, message: 'must be true or false' });
    return v as boolean;
  };

  const policy: PasswordPolicy = {
    minLength: integer('minLength', MIN_LENGTH_FLOOR, PASSWORD_MAX_LENGTH),
    maxLength: PASSWORD_MAX_LENGTH,
    rejectCommon: boolean('rejectCommon'),
    rejectContextWords: boolean('rejectContextWords'),
    historySize: integer('historySize', 0, HISTORY_SIZE_MAX),
  };
  if (value('maxLength') !== PASSWORD_MAX_LENGTH) errors.push({ field: 'maxLength', message: `is fixed at ${PASSWORD_MAX_LENGTH}` });
  return errors.length ? { errors } : { policy, errors };
}
