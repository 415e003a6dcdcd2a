import { randomBytes } from 'node:crypto';
import { encodePasswordHash, PASSWORD_HASH_LIMITS } from './password-hash.format';
import { argon2Async } from './password-hash.kdf';
import { needsRehash, verifyPassword } from './password-hash.verifier';

/** Parameters of the current algorithm, argon2id (RFC 9106) version 19. */
export interface Argon2idParameters {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  saltLength: number;
  tagLength: number;
}

/** OWASP Password Storage Cheat Sheet minimum for argon2id, with a 16-byte salt and a 32-byte tag. */
export const OWASP_ARGON2ID: Readonly<Argon2idParameters> = Object.freeze({
  memoryKiB: 19456,
  passes: 2,
  parallelism: 1,
  saltLength: 16,
  tagLength: 32,
});

/** OWASP's equally strong argon2id configurations as [memory KiB, passes]; a config must reach one. */
const OWASP_MINIMUMS: ReadonlyArray<readonly [number, number]> = [
  [47104, 1],
  [19456, 2],
  [12288, 3],
  [9216, 4],
  [7168, 5],
];

/** Hashes new passwords with argon2id and verifies any stored format. Plain class: provide it with `useValue`. */
export class PasswordHasher {
  readonly parameters: Readonly<Argon2idParameters>;

  constructor(parameters: Argon2idParameters = OWASP_ARGON2ID) {
    checkParameters(parameters);
    this.parameters = Object.freeze({ ...parameters });
  }

  /** A PHC string: `$argon2id$v=19$m=<KiB>,t=<passes>,p=<parallelism>$<salt b64>$<tag b64>`. */
  async hash(password: string): Promise<string> {
    const { memoryKiB, passes, parallelism, saltLength, tagLength } = this.parameters;
    const salt = randomBytes(saltLength);
    const tag = await argon2Async('argon2id', password, { memoryKiB, passes, parallelism, salt, tagLength });
    return encodePasswordHash({ format: 'argon2id', memoryKiB, passes, parallelism, salt, hash: tag });
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }

  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.parameters);
  }
}

function checkParameters(p: Argon2idParameters): void {
  const problems: string[] = [];
  const whole = (v: number) => Number.isSafeInteger(v) && v > 0;
  if (![p.memoryKiB, p.passes, p.parallelism, p.saltLength, p.tagLength].every(whole)) problems.push('all parameters must be positive integers');
  if (!OWASP_MINIMUMS.some(([m, t]) => p.memoryKiB >= m && p.passes >= t)) {
    problems.push(`memory ${p.memoryKiB} KiB with ${p.passes} passes is below the OWASP minimum (e.g. 19456 KiB with 2 passes)`);
  }
  if (p.saltLength < 16) problems.push('saltLength must be at least 16 bytes');
  if (p.tagLength < 32) problems.push('tagLength must be at least 32 bytes');
  // Hashes we write must pass the same bounds as the hashes we read.
  const limits = PASSWORD_HASH_LIMITS.argon2;
  if (p.memoryKiB > limits.maxMemoryKiB || p.passes > limits.maxPasses || p.parallelism > limits.maxParallelism) {
    problems.push('parameters exceed what the verifier accepts');
  }
  if (p.saltLength > limits.saltBytes.max || p.tagLength > limits.hashBytes.max) problems.push('salt or tag is longer than the verifier accepts');
  if (p.memoryKiB < 8 * p.parallelism) problems.push('memoryKiB must be at least 8 × parallelism');
  if (problems.length) throw new RangeError(`Invalid argon2id parameters: ${problems.join('; ')}`);
}
