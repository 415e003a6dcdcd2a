/**
 * Formats of password hashes Keyline accepts: its own (argon2id) and those imported from other
 * systems. The directory contracts carry the same list for events (checked in the directory).
 */
export const PASSWORD_HASH_FORMATS = ['argon2id', 'argon2i', 'bcrypt', 'pbkdf2-sha256', 'pbkdf2-sha512', 'scrypt', 'salted-sha256'] as const;
export type PasswordHashFormat = (typeof PASSWORD_HASH_FORMATS)[number];
