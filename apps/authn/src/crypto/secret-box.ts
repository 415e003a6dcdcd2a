import { createCipheriv, createDecipheriv, createSecretKey, KeyObject, randomBytes } from 'node:crypto';

/** A key spec that cannot be used, or a sealed value that cannot be opened. Never carries key material. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Encrypts small secrets at rest (TOTP seeds) with AES-256-GCM under a key ring. The first key seals; every
 * key opens, so that keys can be rotated: add a new key in front, re-seal what `needsReseal` reports, then
 * drop the old key.
 *
 * Sealed form: `v1.<kid>.<iv>.<ciphertext>.<tag>`, base64url, with a random 96-bit IV per value. NIST
 * SP 800-38D §8.3 caps random IVs at 2^32 encryptions per key, far more than MFA enrolments will need.
 * `aad` binds a value to its place (e.g. `totp:<tenant>:<user>`), so that a sealed seed copied onto
 * another user's row does not open there.
 */
export class SecretBox {
  private constructor(
    private readonly keys: ReadonlyMap<string, KeyObject>,
    /** The kid that `seal` uses. */
    readonly currentKid: string,
    private readonly currentKey: KeyObject,
  ) {}

  /** Parses `kid:base64key[,kid:base64key...]`: 32-byte keys, the first one current. */
  static fromConfig(spec: string): SecretBox {
    const entries = spec.split(',').map((e) => e.trim());
    if (entries.length === 1 && entries[0] === '') throw new SecretBoxError('key spec is empty; expected kid:base64key[,kid:base64key...]');
    const keys = new Map<string, KeyObject>();
    entries.forEach((entry, i) => {
      const where = `key spec entry ${i + 1}`;
      const colon = entry.indexOf(':');
      if (colon === -1) throw new SecretBoxError(`${where} is not kid:base64key`);
      const kid = entry.slice(0, colon).trim();
      const encoded = entry.slice(colon + 1).trim();
      if (!KID.test(kid)) throw new SecretBoxError(`${where} has an invalid kid; expected 1-32 of A-Z a-z 0-9 _ -`);
      if (keys.has(kid)) throw new SecretBoxError(`${where} repeats kid "${kid}"`);
      if (!BASE64.test(encoded)) throw new SecretBoxError(`${where} (kid "${kid}"): key is not base64`);
      const key = Buffer.from(encoded, 'base64');
      if (key.length !== KEY_BYTES) throw new SecretBoxError(`${where} (kid "${kid}"): key is ${key.length} bytes; expected ${KEY_BYTES}`);
      keys.set(kid, createSecretKey(key));
      key.fill(0);
    });
    const [current] = keys;
    return new SecretBox(keys, current[0], current[1]);
  }

  /** A new one-key spec, `kid:base64key`, for configuration or a first boot in development. */
  static generateKeySpec(kid = 'k1'): string {
    if (!KID.test(kid)) throw new SecretBoxError('invalid kid; expected 1-32 of A-Z a-z 0-9 _ -');
    return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  /** The kids of the ring, current first. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.currentKid, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The plaintext; throws `SecretBoxError` for an unknown kid, a wrong `aad`, or any tampering. */
  open(sealed: string, aad: string): string {
    const { kid, iv, ciphertext, tag } = parse(sealed);
    const key = this.keys.get(kid);
    if (!key) throw new SecretBoxError(`sealed with unknown key "${kid}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretBoxError('cannot open sealed value: authentication failed (wrong key or aad, or tampered)', { cause });
    }
  }

  /** True when `sealed` was not sealed with the current key and should be opened and sealed again. */
  needsReseal(sealed: string): boolean {
    return parse(sealed).kid !== this.currentKid;
  }
}

function parse(sealed: string): { kid: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError(`not a sealed value; expected ${VERSION}.<kid>.<iv>.<ciphertext>.<tag>`);
  const [, kid, iv, ciphertext, tag] = parts;
  if (!KID.test(kid)) throw new SecretBoxError('sealed value has an invalid kid');
  if (![iv, ciphertext, tag].every((p) => BASE64URL.test(p))) throw new SecretBoxError('sealed value is not base64url');
  const decoded = { kid, iv: Buffer.from(iv, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url'), tag: Buffer.from(tag, 'base64url') };
  if (decoded.iv.length !== IV_BYTES || decoded.tag.length !== TAG_BYTES) throw new SecretBoxError('sealed value has a wrong IV or tag length');
  return decoded;
}
