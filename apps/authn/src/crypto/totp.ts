import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createBase32Plugin, createCryptoPlugin, generateSecret } from '@otplib/core';
import { generateSync, verifySync } from '@otplib/totp';

// otplib v13 itself is CommonJS-loadable, but its default plugins pull in @noble/hashes 2 and @scure/base 2,
// which are ES modules only, and jest (without --experimental-vm-modules) cannot require those. So we use
// otplib's TOTP/HOTP engine (@otplib/totp, @otplib/core) with node:crypto and an RFC 4648 codec as plugins.
const nodeCrypto = createCryptoPlugin({
  name: 'node',
  hmac: (algorithm, key, data) => createHmac(algorithm, key).update(data).digest(),
  randomBytes: (length) => randomBytes(length),
  constantTimeEqual: (a, b) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
});
const base32 = createBase32Plugin({ name: 'rfc4648', encode: base32Encode, decode: base32Decode });

export interface TotpOptions {
  /** Code length, 6 (default) to 8. Authenticator apps other than Google's may ignore anything but 6. */
  digits?: number;
  /** Seconds per time step. Default 30, which is also all that most authenticator apps support. */
  periodSeconds?: number;
  /** Steps accepted either side of the current one for clock drift, 0..2. Default 1 (RFC 6238 §5.2). */
  window?: number;
}

export type TotpVerification = { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' };

/** RFC 6238 TOTP with HMAC-SHA1, the algorithm every authenticator app supports. */
export class Totp {
  readonly digits: number;
  readonly periodSeconds: number;
  readonly window: number;

  constructor(opts: TotpOptions = {}) {
    this.digits = opts.digits ?? 6;
    this.periodSeconds = opts.periodSeconds ?? 30;
    this.window = opts.window ?? 1;
    if (![6, 7, 8].includes(this.digits)) throw new RangeError('digits must be 6, 7 or 8');
    if (!Number.isInteger(this.periodSeconds) || this.periodSeconds < 15 || this.periodSeconds > 300) {
      throw new RangeError('periodSeconds must be an integer from 15 to 300');
    }
    if (![0, 1, 2].includes(this.window)) throw new RangeError('window must be 0, 1 or 2');
  }

  /** A new shared secret: 20 random bytes (160 bits, RFC 4226 §4), base32 without padding. */
  generateSecret(): string {
    return generateSecret({ crypto: nodeCrypto, base32, length: 20 });
  }

  /** The otpauth:// URI for a QR code (Google Authenticator Key Uri Format), every parameter explicit. */
  keyUri(secret: string, { issuer, account }: { issuer: string; account: string }): string {
    // The label is `issuer:account`; neither part may contain a colon of its own.
    if (!issuer || issuer.includes(':')) throw new RangeError('issuer must be non-empty and contain no colon');
    if (!account || account.includes(':')) throw new RangeError('account must be non-empty and contain no colon');
    base32Decode(secret);
    const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
    const query = [
      `secret=${secret}`,
      `issuer=${encodeURIComponent(issuer)}`,
      'algorithm=SHA1',
      `digits=${this.digits}`,
      `period=${this.periodSeconds}`,
    ];
    return `otpauth://totp/${label}?${query.join('&')}`;
  }

  /** The code for the step containing `atMs`: for tests and for showing the current code. */
  generate(secret: string, atMs: number): string {
    return generateSync({ ...this.engineOptions(secret), epoch: Math.floor(atMs / 1000) });
  }

  /**
   * Checks `code` (spaces allowed) against the steps within `window` of `atMs`, comparing in constant time.
   * A code whose step is at or before `lastUsedStep` is 'replayed': store the returned `step` after each
   * success, so a code cannot be used twice and an older code cannot follow a newer one.
   */
  verify(secret: string, code: string, atMs: number, lastUsedStep?: number | null): TotpVerification {
    if (code.length > 64) return { ok: false, reason: 'invalid' };
    const token = code.normalize('NFKC').replace(/\s+/g, '');
    if (!new RegExp(`^[0-9]{${this.digits}}$`).test(token)) return { ok: false, reason: 'invalid' };
    const result = verifySync({
      ...this.engineOptions(secret),
      token,
      epoch: Math.floor(atMs / 1000),
      epochTolerance: this.window * this.periodSeconds,
    });
    if (!result.valid) return { ok: false, reason: 'invalid' };
    if (lastUsedStep != null && result.timeStep <= lastUsedStep) return { ok: false, reason: 'replayed' };
    return { ok: true, step: result.timeStep };
  }

  private engineOptions(secret: string) {
    return { secret, crypto: nodeCrypto, base32, algorithm: 'sha1', digits: this.digits, period: this.periodSeconds } as const;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, without padding. */
function base32Encode(data: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 §6 base32, case-insensitive, padding optional; throws on any other character. */
function base32Decode(text: string): Uint8Array {
  const chars = text.toUpperCase().replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((chars.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of chars) {
    const digit = ALPHABET.indexOf(char);
    if (digit === -1) throw new RangeError('secret is not base32');
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}
