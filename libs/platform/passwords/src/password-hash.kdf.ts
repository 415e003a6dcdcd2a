import { argon2, pbkdf2, scrypt } from 'node:crypto';
import type { Argon2Format } from './password-hash.format';

// Promise wrappers over the callback APIs: they run on the libuv thread pool, so a slow hash never
// blocks the event loop (the *Sync variants would).

export interface Argon2Input {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  tagLength: number;
}

export function argon2Async(variant: Argon2Format, password: string, input: Argon2Input): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      variant,
      {
        message: Buffer.from(password, 'utf8'),
        nonce: input.salt,
        memory: input.memoryKiB,
        passes: input.passes,
        parallelism: input.parallelism,
        tagLength: input.tagLength,
      },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export function pbkdf2Async(password: string, salt: Buffer, iterations: number, keyLength: number, digest: 'sha256' | 'sha512'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, keyLength, digest, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export function scryptAsync(password: string, salt: Buffer, keyLength: number, logN: number, blockSize: number, parallelism: number): Promise<Buffer> {
  const N = 2 ** logN;
  // OpenSSL refuses unless maxmem covers V (128·r·(N+2)) and B (128·r·p); the default is only 32 MiB.
  const maxmem = 128 * blockSize * (N + 2 + parallelism) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, { N, r: blockSize, p: parallelism, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}
