import { PASSWORD_HASH_FORMATS, PasswordHashFormat } from './password-hash.formats';

/**
 * A password hash that cannot be imported or verified. The message is fit for a per-line import error:
 * it names the format and the problem (and parsed numeric parameters), never the hash, salt or digest.
 */
export class InvalidPasswordHash extends Error {
  constructor(
    readonly format: PasswordHashFormat | undefined,
    detail: string,
  ) {
    super(format ? `invalid ${format} hash: ${detail}` : `invalid password hash: ${detail}`);
    this.name = 'InvalidPasswordHash';
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * Bounds on imported hashes. Every sign-in attempt re-derives the hash, so an imported cost parameter
 * must not let one attempt take more than a few seconds of CPU or more than 1 GiB (argon2) / 256 MiB
 * (scrypt) of memory.
 */
export const PASSWORD_HASH_LIMITS = {
  maxHashLength: 1024,
  maxSaltLength: 1024,
  // bcrypt allows 4..31, but cost 17 already takes ~8 s in bcryptjs; 16 is about the pbkdf2 worst case.
  bcrypt: { maxCost: 16 },
  argon2: {
    maxMemoryKiB: GiB / KiB,
    maxPasses: 100,
    maxParallelism: 64,
    // node:crypto (like the reference implementation) needs a salt of at least 8 bytes.
    saltBytes: { min: 8, max: 256 },
    hashBytes: { min: 16, max: 128 },
  },
  pbkdf2: {
    maxIterations: 10_000_000,
    saltBytes: { min: 1, max: 256 },
    // Beyond 64 bytes every extra digest-sized block repeats all iterations.
    hashBytes: { min: 16, max: 64 },
  },
  scrypt: {
    maxLogN: 31,
    maxBlockSize: 64,
    maxParallelism: 16,
    // 128 * N * r is the memory scrypt holds at once; p repeats that work sequentially.
    maxMemoryBytes: 256 * MiB,
    maxWorkBytes: GiB,
    saltBytes: { min: 1, max: 256 },
    hashBytes: { min: 16, max: 128 },
  },
  saltedSha256: { saltBytes: { min: 1, max: 256 } },
} as const;

interface Range {
  min: number;
  max: number;
}

export type Argon2Format = Extract<PasswordHashFormat, 'argon2id' | 'argon2i'>;
export type Pbkdf2Format = Extract<PasswordHashFormat, 'pbkdf2-sha256' | 'pbkdf2-sha512'>;

/** A hash broken into its parameters; {@link encodePasswordHash} turns it into the canonical string. */
export type ParsedPasswordHash =
  | { format: Argon2Format; memoryKiB: number; passes: number; parallelism: number; salt: Buffer; hash: Buffer }
  /** `encoded` is the whole 60-character modular crypt string, padding bits cleared. */
  | { format: 'bcrypt'; minor: 'a' | 'b'; cost: number; encoded: string }
  | { format: Pbkdf2Format; iterations: number; salt: Buffer; hash: Buffer }
  | { format: 'scrypt'; logN: number; blockSize: number; parallelism: number; salt: Buffer; hash: Buffer }
  | { format: 'salted-sha256'; saltPosition: SaltPosition; salt: Buffer; hash: Buffer };

export type SaltPosition = 'prefix' | 'suffix';
export type SaltEncoding = 'utf8' | 'hex' | 'base64';

/**
 * A hash as a customer hands it over. Accepted `hash` forms per `format` (surrounding whitespace ignored;
 * "b64" is standard base64, `=` padding optional; numbers are decimal without leading zeros):
 *
 * - `argon2id` / `argon2i`: PHC `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>`.
 *   Only version 19; no `keyid`/`data` parameters. m <= 1 GiB (1048576 KiB) and >= 8p, t 1..100, p 1..64,
 *   salt 8..256 bytes, hash 16..128 bytes.
 * - `bcrypt`: `$2a$`, `$2b$` or `$2y$` (stored as `$2b$`), two-digit cost, 22 salt + 31 hash characters.
 *   Cost 4..31 is valid bcrypt; above 16 is refused as too slow to verify. Spare bits in the last salt and
 *   hash characters are cleared.
 * - `pbkdf2-sha256` / `pbkdf2-sha512` (iterations 1..10,000,000; salt 1..256 bytes; hash 16..64 bytes):
 *   - PHC-style `$pbkdf2-sha256$i=<iterations>$<salt b64>$<hash b64>`;
 *   - passlib `$pbkdf2-sha256$<iterations>$<salt ab64>$<hash ab64>` (ab64: `.` instead of `+`, no padding);
 *   - Django `pbkdf2_sha256$<iterations>$<salt text, UTF-8>$<hash b64>` (`pbkdf2_sha512$` likewise).
 * - `scrypt`: passlib/PHC `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt b64>$<hash b64>`, with
 *   ln >= 1, N < 2^(16·r) (RFC 7914), 128·N·r <= 256 MiB, 128·N·r·p <= 1 GiB, r <= 64, p <= 16;
 *   salt 1..256 bytes, hash 16..128 bytes.
 * - `salted-sha256`: one SHA-256 over salt and password (UTF-8), salt first unless `saltPosition` is
 *   `suffix`. The digest is 64 hex characters or the base64 of its 32 bytes. Either
 *   - `hash: 'sha256$<salt>$<digest>'`, or
 *   - `hash: '<digest>'` with the salt in `salt`.
 *   The salt (embedded or separate) is read as `saltEncoding`: `utf8` text as is (default), or `hex` /
 *   `base64` bytes; 1..256 bytes.
 *
 * Each format also accepts its own canonical form, so normalising is idempotent.
 */
export interface ImportedPasswordHash {
  format: PasswordHashFormat;
  hash: string;
  /** salted-sha256 only: the salt when the legacy system kept it in a separate column. */
  salt?: string;
  /** salted-sha256 only; default `utf8`. */
  saltEncoding?: SaltEncoding;
  /** salted-sha256 only: SHA-256(salt + password) is `prefix` (default), SHA-256(password + salt) is `suffix`. */
  saltPosition?: SaltPosition;
}

/**
 * Validates an imported hash and returns it in the canonical form authn stores: a PHC string
 * (`$argon2id$…`, `$argon2i$…`, `$pbkdf2-sha256$i=…`, `$pbkdf2-sha512$i=…`, `$scrypt$ln=…`,
 * `$salted-sha256$pos=prefix|suffix$<salt b64>$<digest b64>`) or bcrypt's `$2a$`/`$2b$` modular crypt string.
 * Throws {@link InvalidPasswordHash}.
 */
export function normalisePasswordHash(input: ImportedPasswordHash): string {
  return encodePasswordHash(parseImportedPasswordHash(input));
}

/** {@link normalisePasswordHash} without the final encoding, for callers that want the parameters. */
export function parseImportedPasswordHash(input: ImportedPasswordHash): ParsedPasswordHash {
  const format = input.format;
  if (!(PASSWORD_HASH_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidPasswordHash(undefined, `unsupported format; expected one of ${PASSWORD_HASH_FORMATS.join(', ')}`);
  }
  if (typeof input.hash !== 'string') throw new InvalidPasswordHash(format, 'hash must be a string');
  const hash = input.hash.trim();
  if (!hash) throw new InvalidPasswordHash(format, 'hash is empty');
  if (hash.length > PASSWORD_HASH_LIMITS.maxHashLength) {
    throw new InvalidPasswordHash(format, `hash is longer than ${PASSWORD_HASH_LIMITS.maxHashLength} characters`);
  }
  if (format !== 'salted-sha256' && (input.salt !== undefined || input.saltEncoding !== undefined || input.saltPosition !== undefined)) {
    throw new InvalidPasswordHash(format, 'salt, saltEncoding and saltPosition apply to salted-sha256 only');
  }
  return IMPORTERS[format](hash, input);
}

/** Parses a hash authn stored (canonical form only); throws {@link InvalidPasswordHash}. */
export function parseStoredPasswordHash(stored: string): ParsedPasswordHash {
  const format = storedFormat(stored);
  if (!format) throw new InvalidPasswordHash(undefined, 'not a recognised stored hash');
  const parsed = parseImportedPasswordHash({ format, hash: stored });
  if (encodePasswordHash(parsed) !== stored) throw new InvalidPasswordHash(format, 'stored hash is not in canonical form');
  return parsed;
}

export function encodePasswordHash(parsed: ParsedPasswordHash): string {
  switch (parsed.format) {
    case 'argon2id':
    case 'argon2i':
      return `$${parsed.format}$v=19$m=${parsed.memoryKiB},t=${parsed.passes},p=${parsed.parallelism}$${b64(parsed.salt)}$${b64(parsed.hash)}`;
    case 'bcrypt':
      return parsed.encoded;
    case 'pbkdf2-sha256':
    case 'pbkdf2-sha512':
      return `$${parsed.format}$i=${parsed.iterations}$${b64(parsed.salt)}$${b64(parsed.hash)}`;
    case 'scrypt':
      return `$scrypt$ln=${parsed.logN},r=${parsed.blockSize},p=${parsed.parallelism}$${b64(parsed.salt)}$${b64(parsed.hash)}`;
    case 'salted-sha256':
      return `$salted-sha256$pos=${parsed.saltPosition}$${b64(parsed.salt)}$${b64(parsed.hash)}`;
  }
}

function storedFormat(stored: string): PasswordHashFormat | undefined {
  if (typeof stored !== 'string') return undefined;
  if (stored.startsWith('$2a$') || stored.startsWith('$2b$')) return 'bcrypt';
  const id = /^\$([a-z0-9-]+)\$/.exec(stored)?.[1];
  return PASSWORD_HASH_FORMATS.find((f) => f === id && f !== 'bcrypt');
}

type Importer = (hash: string, input: ImportedPasswordHash) => ParsedPasswordHash;

const IMPORTERS: Record<PasswordHashFormat, Importer> = {
  argon2id: (hash) => importArgon2('argon2id', hash),
  argon2i: (hash) => importArgon2('argon2i', hash),
  bcrypt: (hash) => importBcrypt(hash),
  'pbkdf2-sha256': (hash) => importPbkdf2('pbkdf2-sha256', hash),
  'pbkdf2-sha512': (hash) => importPbkdf2('pbkdf2-sha512', hash),
  scrypt: (hash) => importScrypt(hash),
  'salted-sha256': (hash, input) => importSaltedSha256(hash, input),
};

function importArgon2(format: Argon2Format, hash: string): ParsedPasswordHash {
  const fail = (detail: string) => new InvalidPasswordHash(format, detail);
  const shape = `expected $${format}$v=19$m=<memory KiB>,t=<passes>,p=<parallelism>$<salt>$<hash>`;
  const parts = hash.split('$');
  if (parts[0] !== '' || parts[1] !== format) throw fail(shape);
  // The reference implementation writes no v= for version 16 (0x10), the pre-RFC 9106 algorithm.
  if (parts.length === 5 && !parts[2].startsWith('v=')) throw fail('version 16 (no v= parameter) is not supported; only v=19');
  if (parts.length !== 6) throw fail(shape);
  if (parts[2] !== 'v=19') throw fail('only version 19 (v=19) is supported');
  const params = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[3]);
  if (!params) throw fail('parameters must be exactly m=<memory KiB>,t=<passes>,p=<parallelism>');
  const limits = PASSWORD_HASH_LIMITS.argon2;
  const parallelism = integer(params[3], 'p', { min: 1, max: limits.maxParallelism }, format);
  const memoryKiB = integer(params[1], 'm', { min: 8 * parallelism, max: limits.maxMemoryKiB }, format);
  const passes = integer(params[2], 't', { min: 1, max: limits.maxPasses }, format);
  const salt = bytes(fromBase64(parts[4], 'salt', format), 'salt', limits.saltBytes, format);
  const tag = bytes(fromBase64(parts[5], 'hash', format), 'hash', limits.hashBytes, format);
  return { format, memoryKiB, passes, parallelism, salt, hash: tag };
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function importBcrypt(hash: string): ParsedPasswordHash {
  const m = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m) {
    throw new InvalidPasswordHash('bcrypt', 'expected $2a$, $2b$ or $2y$, a two-digit cost, then 22 salt and 31 hash characters');
  }
  const cost = Number(m[2]);
  if (cost < 4 || cost > 31) throw new InvalidPasswordHash('bcrypt', `cost ${cost} is outside 4..31`);
  const { maxCost } = PASSWORD_HASH_LIMITS.bcrypt;
  if (cost > maxCost) throw new InvalidPasswordHash('bcrypt', `cost ${cost} is above the import limit of ${maxCost}`);
  // $2y$ (PHP's crypt_blowfish) is the same algorithm as $2b$.
  const minor = m[1] === 'a' ? 'a' : 'b';
  // 22 characters carry 132 bits for a 128-bit salt and 31 carry 186 for a 184-bit hash. bcryptjs
  // ignores the spare bits when decoding but writes them as zero, so a hash with any set could never
  // match; clearing them keeps what the originating system compared.
  const salt = clearSpareBits(m[3], 16);
  const digest = clearSpareBits(m[4], 4);
  return { format: 'bcrypt', minor, cost, encoded: `$2${minor}$${m[2]}$${salt}${digest}` };
}

function clearSpareBits(text: string, multiple: number): string {
  const last = BCRYPT_ALPHABET.indexOf(text[text.length - 1]);
  return text.slice(0, -1) + BCRYPT_ALPHABET[last - (last % multiple)];
}

function importPbkdf2(format: Pbkdf2Format, hash: string): ParsedPasswordHash {
  const digest = format.slice('pbkdf2-'.length);
  const limits = PASSWORD_HASH_LIMITS.pbkdf2;
  const iterationRange = { min: 1, max: limits.maxIterations };
  const parts = hash.split('$');
  let iterations: number;
  let salt: Buffer;
  let derived: Buffer;
  if (parts.length === 5 && parts[0] === '' && parts[1] === format && parts[2].startsWith('i=')) {
    iterations = integer(parts[2].slice(2), 'iterations', iterationRange, format);
    salt = fromBase64(parts[3], 'salt', format);
    derived = fromBase64(parts[4], 'hash', format);
  } else if (parts.length === 5 && parts[0] === '' && parts[1] === format) {
    iterations = integer(parts[2], 'iterations', iterationRange, format);
    salt = fromBase64(parts[3], 'salt', format, 'passlib');
    derived = fromBase64(parts[4], 'hash', format, 'passlib');
  } else if (parts.length === 4 && parts[0] === `pbkdf2_${digest}`) {
    iterations = integer(parts[1], 'iterations', iterationRange, format);
    if (!parts[2]) throw new InvalidPasswordHash(format, 'salt is empty');
    salt = Buffer.from(parts[2], 'utf8');
    derived = fromBase64(parts[3], 'hash', format);
  } else {
    throw new InvalidPasswordHash(
      format,
      `expected $${format}$i=<iterations>$<salt>$<hash> (PHC), $${format}$<iterations>$<salt>$<hash> (passlib) ` +
        `or pbkdf2_${digest}$<iterations>$<salt>$<hash> (Django)`,
    );
  }
  return {
    format,
    iterations,
    salt: bytes(salt, 'salt', limits.saltBytes, format),
    hash: bytes(derived, 'hash', limits.hashBytes, format),
  };
}

function importScrypt(hash: string): ParsedPasswordHash {
  const fail = (detail: string) => new InvalidPasswordHash('scrypt', detail);
  const parts = hash.split('$');
  if (parts.length !== 5 || parts[0] !== '' || parts[1] !== 'scrypt') {
    throw fail('expected $scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<hash>');
  }
  const params = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(parts[2]);
  if (!params) throw fail('parameters must be exactly ln=<log2 N>,r=<block size>,p=<parallelism>');
  const limits = PASSWORD_HASH_LIMITS.scrypt;
  const logN = integer(params[1], 'ln', { min: 1, max: limits.maxLogN }, 'scrypt');
  const blockSize = integer(params[2], 'r', { min: 1, max: limits.maxBlockSize }, 'scrypt');
  const parallelism = integer(params[3], 'p', { min: 1, max: limits.maxParallelism }, 'scrypt');
  // RFC 7914 §2 requires N < 2^(128·r/8); OpenSSL refuses anything else at verification time.
  if (logN >= 16 * blockSize) throw fail(`ln=${logN} must be less than 16·r`);
  const memory = 128 * 2 ** logN * blockSize;
  if (memory > limits.maxMemoryBytes) throw fail(`ln=${logN},r=${blockSize} needs more than ${limits.maxMemoryBytes / MiB} MiB`);
  if (memory * parallelism > limits.maxWorkBytes) throw fail(`ln=${logN},r=${blockSize},p=${parallelism} is too slow to verify`);
  const salt = bytes(fromBase64(parts[3], 'salt', 'scrypt'), 'salt', limits.saltBytes, 'scrypt');
  const derived = bytes(fromBase64(parts[4], 'hash', 'scrypt'), 'hash', limits.hashBytes, 'scrypt');
  return { format: 'scrypt', logN, blockSize, parallelism, salt, hash: derived };
}

function importSaltedSha256(hash: string, input: ImportedPasswordHash): ParsedPasswordHash {
  const format = 'salted-sha256';
  const fail = (detail: string) => new InvalidPasswordHash(format, detail);
  const saltRange = PASSWORD_HASH_LIMITS.saltedSha256.saltBytes;
  if (hash.startsWith('$salted-sha256$')) {
    if (input.salt !== undefined || input.saltEncoding !== undefined || input.saltPosition !== undefined) {
      throw fail('the canonical form carries its own salt; do not pass salt, saltEncoding or saltPosition');
    }
    const parts = hash.split('$');
    const position = /^pos=(prefix|suffix)$/.exec(parts[2] ?? '')?.[1];
    if (parts.length !== 5 || !position) throw fail('expected $salted-sha256$pos=prefix|suffix$<salt>$<digest>');
    return {
      format,
      saltPosition: position as SaltPosition,
      salt: bytes(fromBase64(parts[3], 'salt', format), 'salt', saltRange, format),
      hash: sha256Digest(parts[4]),
    };
  }
  const saltPosition = input.saltPosition ?? 'prefix';
  if (saltPosition !== 'prefix' && saltPosition !== 'suffix') throw fail('saltPosition must be prefix or suffix');
  const encoding = input.saltEncoding ?? 'utf8';
  if (!['utf8', 'hex', 'base64'].includes(encoding)) throw fail('saltEncoding must be utf8, hex or base64');
  let saltText: string;
  let digest: string;
  if (input.salt !== undefined) {
    if (typeof input.salt !== 'string') throw fail('salt must be a string');
    if (hash.includes('$')) throw fail('with a separate salt, hash must be the bare digest');
    saltText = input.salt;
    digest = hash;
  } else {
    const parts = hash.split('$');
    if (parts.length !== 3 || parts[0] !== 'sha256') throw fail('expected sha256$<salt>$<digest>, or the digest with a separate salt');
    [, saltText, digest] = parts;
  }
  if (saltText.length > PASSWORD_HASH_LIMITS.maxSaltLength) {
    throw fail(`salt is longer than ${PASSWORD_HASH_LIMITS.maxSaltLength} characters`);
  }
  return { format, saltPosition, salt: bytes(decodeSalt(saltText, encoding), 'salt', saltRange, format), hash: sha256Digest(digest) };
}

function decodeSalt(text: string, encoding: SaltEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'hex':
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new InvalidPasswordHash('salted-sha256', 'salt is not valid hex');
      return Buffer.from(text, 'hex');
    case 'base64':
      return fromBase64(text, 'salt', 'salted-sha256');
  }
}

function sha256Digest(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) return fromBase64(text, 'digest', 'salted-sha256');
  throw new InvalidPasswordHash('salted-sha256', 'digest must be 64 hex characters or the base64 of 32 bytes');
}

/** Decimal without sign or leading zeros (a padded number in a hash usually means a different format). */
function integer(text: string, name: string, range: Range, format: PasswordHashFormat): number {
  if (!/^(?:0|[1-9]\d*)$/.test(text)) throw new InvalidPasswordHash(format, `${name} must be a decimal integer`);
  if (text.length > 15) throw new InvalidPasswordHash(format, `${name} is outside the accepted range ${range.min}..${range.max}`);
  const value = Number(text);
  if (value < range.min || value > range.max) {
    throw new InvalidPasswordHash(format, `${name}=${value} is outside the accepted range ${range.min}..${range.max}`);
  }
  return value;
}

function bytes(value: Buffer, name: string, range: Range, format: PasswordHashFormat): Buffer {
  if (value.length < range.min || value.length > range.max) {
    throw new InvalidPasswordHash(format, `${name} is ${value.length} bytes; expected ${range.min}..${range.max}`);
  }
  return value;
}

/** Strict base64 (Buffer.from silently skips stray characters). passlib's "ab64" writes `.` for `+`. */
function fromBase64(text: string, name: string, format: PasswordHashFormat, alphabet: 'standard' | 'passlib' = 'standard'): Buffer {
  const unpadded = alphabet === 'standard' ? text.replace(/={1,2}$/, '') : text;
  const valid =
    (alphabet === 'standard' ? /^[A-Za-z0-9+/]+$/ : /^[A-Za-z0-9./]+$/).test(unpadded) &&
    unpadded.length % 4 !== 1 &&
    (unpadded === text || text.length % 4 === 0);
  if (!valid) throw new InvalidPasswordHash(format, `${name} is not valid ${alphabet === 'passlib' ? 'passlib ab64' : 'base64'}`);
  return Buffer.from(alphabet === 'passlib' ? unpadded.replace(/\./g, '+') : unpadded, 'base64');
}

/** PHC strings use standard base64 without padding. */
function b64(value: Buffer): string {
  return value.toString('base64').replace(/=+$/, '');
}
