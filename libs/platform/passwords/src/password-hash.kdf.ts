import { argon2, pbkdf2, scrypt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Argon2Format } from './password-hash.format';

// Promise wrappers over the callback APIs: they run on the libuv thread pool, so a slow hash never
// blocks the event loop (the *Sync variants would).

/**
 * At most one hash per core at a time, first come first served. The libuv pool has 4 threads: on a
 * 2-core machine 4 concurrent hashes cost each other ~8 % CPU and starve the event loop that answers
 * everything else. Queued hashes wait their turn instead (measured in bench/authn).
 */
class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const gate = new Gate(Math.max(1, availableParallelism()));

export interface Argon2Input {
  memoryKiB: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  tagLength: number;
}

export function argon2Async(variant: Argon2Format, password: string, input: Argon2Input): Promise<Buffer> {
  return gate.run(() => new Promise((resolve, reject) => {
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
  }));
}

export function pbkdf2Async(password: string, salt: Buffer, iterations: number, keyLength: number, digest: 'sha256' | 'sha512'): Promise<Buffer> {
  return gate.run(() => new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, keyLength, digest, (err, key) => (err ? reject(err) : resolve(key)));
  }));
}

export function scryptAsync(password: string, salt: Buffer, keyLength: number, logN: number, blockSize: number, parallelism: number): Promise<Buffer> {
  const N = 2 ** logN;
  // OpenSSL refuses unless maxmem covers V (128·r·(N+2)) and B (128·r·p); the default is only 32 MiB.
  const maxmem = 128 * blockSize * (N + 2 + parallelism) + 1024 * 1024;
  return gate.run(() => new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, { N, r: blockSize, p: parallelism, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  }));
}
