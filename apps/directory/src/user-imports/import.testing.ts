import { normalisePasswordHash } from '@keyline/platform-passwords';
import { createHash } from 'node:crypto';

/** A bcrypt-shaped hash (never verified by the directory): `$2b$10$` and 53 characters. */
export function fakeBcrypt(seed: string): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha512').update(seed).digest();
  let tail = '';
  for (let i = 0; i < 53; i++) tail += alphabet[digest[i % digest.length] % 64];
  // In canonical form (spare bits of the last salt and hash characters cleared), as imports store it.
  return normalisePasswordHash({ format: 'bcrypt', hash: `$2b$10$${tail}` });
}

export interface GeneratedUsersOptions {
  /** Prefix of the generated emails (`<prefix>-<n>@example.com`), unique per run. */
  prefix: string;
  /** Every n-th user (1-based) carries a bcrypt `passwordHash`; 0: none do. */
  hashEvery?: number;
  /** Extra fields for every user (attributes, appMetadata, ...). */
  extra?: (n: number) => Record<string, unknown>;
}

/** The n-th generated user (1-based), as one import line's object. */
export function generatedUser(n: number, opts: GeneratedUsersOptions): Record<string, unknown> {
  const user: Record<string, unknown> = {
    email: `${opts.prefix}-${n}@example.com`,
    emailVerified: n % 2 === 0,
    givenName: `Given${n}`,
    familyName: `Family${n % 97}`,
    locale: n % 3 === 0 ? 'en-GB' : 'de-DE',
    appMetadata: { importedFrom: 'legacy', legacyId: n },
    ...opts.extra?.(n),
  };
  if (opts.hashEvery && n % opts.hashEvery === 0) user.passwordHash = { format: 'bcrypt', hash: fakeBcrypt(`${opts.prefix}-${n}`) };
  return user;
}

/** `count` users as NDJSON (one JSON object per line, newline-terminated), for import tests and benchmarks. */
export function generateUsersNdjson(count: number, opts: GeneratedUsersOptions): string {
  const lines: string[] = new Array(count);
  for (let n = 1; n <= count; n++) lines[n - 1] = JSON.stringify(generatedUser(n, opts));
  return lines.join('\n') + '\n';
}

/** The same users as a lazy sequence of NDJSON chunks (`perChunk` lines each), for uploads too large to hold as one string. */
export function* generateUsersChunks(count: number, opts: GeneratedUsersOptions, perChunk = 1000): Generator<string> {
  for (let start = 1; start <= count; start += perChunk) {
    const lines: string[] = [];
    for (let n = start; n < start + perChunk && n <= count; n++) lines.push(JSON.stringify(generatedUser(n, opts)));
    yield lines.join('\n') + '\n';
  }
}
