import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { ParsedPasswordHash, parseStoredPasswordHash } from './password-hash.format';
import { argon2Async, pbkdf2Async, scryptAsync } from './password-hash.kdf';
import type { Argon2idParameters } from './password.hasher';

/**
 * Checks `password` against a stored hash: the canonical form from `normalisePasswordHash` or the current
 * hasher's PHC string. Resolves false for a wrong password; rejects with `InvalidPasswordHash` only when
 * the stored hash itself is unusable (corrupt data, never a user mistake).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredPasswordHash(stored);
  const [actual, expected] = await derive(password, parsed);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * True when the stored hash should be replaced by a fresh one from the current hasher: any format other
 * than argon2id, or argon2id weaker than `policy` in memory, passes, salt or tag length. Parallelism is
 * not compared: with memory and passes fixed it changes how the work is split, not how much there is.
 */
export function needsRehash(stored: string, policy: Argon2idParameters): boolean {
  const parsed = parseStoredPasswordHash(stored);
  if (parsed.format !== 'argon2id') return true;
  return (
    parsed.memoryKiB < policy.memoryKiB ||
    parsed.passes < policy.passes ||
    parsed.salt.length < policy.saltLength ||
    parsed.hash.length < policy.tagLength
  );
}

/** [derived from the password, stored], same length by construction. */
async function derive(password: string, parsed: ParsedPasswordHash): Promise<[Buffer, Buffer]> {
  switch (parsed.format) {
    case 'argon2id':
    case 'argon2i':
      return [
        await argon2Async(parsed.format, password, { ...parsed, tagLength: parsed.hash.length }),
        parsed.hash,
      ];
    case 'bcrypt': {
      // bcryptjs's own compare is constant-time too; hashing and comparing here keeps one comparison path.
      const computed = await bcrypt.hash(password, parsed.encoded.slice(0, 29));
      return [Buffer.from(computed), Buffer.from(parsed.encoded)];
    }
    case 'pbkdf2-sha256':
    case 'pbkdf2-sha512': {
      const digest = parsed.format === 'pbkdf2-sha256' ? 'sha256' : 'sha512';
      return [await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, digest), parsed.hash];
    }
    case 'scrypt':
      return [
        await scryptAsync(password, parsed.salt, parsed.hash.length, parsed.logN, parsed.blockSize, parsed.parallelism),
        parsed.hash,
      ];
    case 'salted-sha256': {
      const secret = Buffer.from(password, 'utf8');
      const input = parsed.saltPosition === 'prefix' ? [parsed.salt, secret] : [secret, parsed.salt];
      return [createHash('sha256').update(Buffer.concat(input)).digest(), parsed.hash];
    }
  }
}
