import { int } from '@keyline/platform-config';
import { OWASP_ARGON2ID, type Argon2idParameters } from './password.hasher';

/** Deployment-wide argon2id cost of new hashes (raising it upgrades stored hashes at the next sign-in). */
export const passwordHashFields = {
  argon2MemoryKiB: int('ARGON2_MEMORY_KIB', 'argon2id memory of new password hashes, KiB (OWASP: 19456 with 2 passes)', {
    default: OWASP_ARGON2ID.memoryKiB,
    min: 7168,
    max: 4 * 1024 * 1024,
  }),
  argon2Passes: int('ARGON2_PASSES', 'argon2id passes (time cost) of new password hashes', { default: OWASP_ARGON2ID.passes, min: 1, max: 64 }),
  argon2Parallelism: int('ARGON2_PARALLELISM', 'argon2id lanes of new password hashes', { default: OWASP_ARGON2ID.parallelism, min: 1, max: 16 }),
};

/** The hasher parameters from those fields. */
export function argon2idParametersOf(c: { argon2MemoryKiB: number; argon2Passes: number; argon2Parallelism: number }): Argon2idParameters {
  return { ...OWASP_ARGON2ID, memoryKiB: c.argon2MemoryKiB, passes: c.argon2Passes, parallelism: c.argon2Parallelism };
}
