import { parseURI } from '@otplib/uri';
import { Totp } from './totp';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_SHA1_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const at = (seconds: number) => seconds * 1000;
/** The start of time step `step` in ms. */
const stepStart = (step: number) => at(step * 30);

describe('TOTP', () => {
  const totp = new Totp();

  it('reproduces the RFC 6238 SHA-1 test vectors', () => {
    const eight = new Totp({ digits: 8 });
    for (const [seconds, code] of RFC_SHA1_VECTORS) {
      expect(eight.generate(RFC_SECRET, at(seconds))).toBe(code);
      // Six digits are the last six (RFC 4226 §5.3: the value modulo 10^6).
      expect(totp.generate(RFC_SECRET, at(seconds))).toBe(code.slice(2));
      expect(eight.verify(RFC_SECRET, code, at(seconds))).toEqual({ ok: true, step: Math.floor(seconds / 30) });
    }
  });

  it('returns the matched step, floor(t / 30)', () => {
    expect(totp.verify(RFC_SECRET, '287082', at(59))).toEqual({ ok: true, step: 1 });
    expect(totp.verify(RFC_SECRET, '081804', at(1111111109))).toEqual({ ok: true, step: 37037036 });
  });

  it('accepts the previous and next step and nothing further', () => {
    const now = 40_000_000;
    const codeAt = (step: number) => totp.generate(RFC_SECRET, stepStart(step));
    for (const t of [stepStart(now), stepStart(now) + 29_999]) {
      expect(totp.verify(RFC_SECRET, codeAt(now - 1), t)).toEqual({ ok: true, step: now - 1 });
      expect(totp.verify(RFC_SECRET, codeAt(now), t)).toEqual({ ok: true, step: now });
      expect(totp.verify(RFC_SECRET, codeAt(now + 1), t)).toEqual({ ok: true, step: now + 1 });
      expect(totp.verify(RFC_SECRET, codeAt(now - 2), t)).toEqual({ ok: false, reason: 'invalid' });
      expect(totp.verify(RFC_SECRET, codeAt(now + 2), t)).toEqual({ ok: false, reason: 'invalid' });
    }
    // One ms before the step starts, the step before it is current.
    expect(totp.verify(RFC_SECRET, codeAt(now + 1), stepStart(now) - 1)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('accepts only the current step with a window of 0', () => {
    const strict = new Totp({ window: 0 });
    const now = 40_000_000;
    expect(strict.verify(RFC_SECRET, strict.generate(RFC_SECRET, stepStart(now)), stepStart(now) + 5_000).ok).toBe(true);
    expect(strict.verify(RFC_SECRET, strict.generate(RFC_SECRET, stepStart(now - 1)), stepStart(now))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('reports a code of the last used step, or an earlier one, as replayed', () => {
    const now = 40_000_000;
    const current = totp.generate(RFC_SECRET, stepStart(now));
    const previous = totp.generate(RFC_SECRET, stepStart(now - 1));
    expect(totp.verify(RFC_SECRET, current, stepStart(now), now - 1)).toEqual({ ok: true, step: now });
    expect(totp.verify(RFC_SECRET, current, stepStart(now), now)).toEqual({ ok: false, reason: 'replayed' });
    expect(totp.verify(RFC_SECRET, previous, stepStart(now), now)).toEqual({ ok: false, reason: 'replayed' });
    // A code from the next step is still fine after the current one was used.
    const next = totp.generate(RFC_SECRET, stepStart(now + 1));
    expect(totp.verify(RFC_SECRET, next, stepStart(now), now)).toEqual({ ok: true, step: now + 1 });
    // A wrong code stays 'invalid', whatever was used before; null means nothing was.
    expect(totp.verify(RFC_SECRET, '000000', stepStart(now), now).ok).toBe(false);
    expect(totp.verify(RFC_SECRET, current, stepStart(now), null)).toEqual({ ok: true, step: now });
  });

  it('accepts codes typed with spaces or fullwidth digits and refuses anything but digits', () => {
    expect(totp.verify(RFC_SECRET, '287 082', at(59)).ok).toBe(true);
    expect(totp.verify(RFC_SECRET, ' 287082\n', at(59)).ok).toBe(true);
    expect(totp.verify(RFC_SECRET, '２８７０８２', at(59)).ok).toBe(true);
    for (const code of ['', '28708', '2870822', '28708a', '287-082', '+87082', '٢٨٧٠٨٢']) {
      expect(totp.verify(RFC_SECRET, code, at(59))).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('generates 160-bit base32 secrets that verify their own codes', () => {
    const secret = totp.generateSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(totp.generateSecret()).not.toBe(secret);
    const t = Date.UTC(2026, 0, 1);
    expect(totp.verify(secret, totp.generate(secret, t), t)).toEqual({ ok: true, step: Math.floor(t / 30_000) });
    expect(totp.verify(secret, totp.generate(RFC_SECRET, t), t).ok).toBe(false);
  });

  it('builds an otpauth URI with every parameter explicit', () => {
    const uri = totp.keyUri(RFC_SECRET, { issuer: 'Keyline Demo', account: 'alice+mfa@example.com' });
    expect(uri).toBe(
      `otpauth://totp/Keyline%20Demo:alice%2Bmfa%40example.com?secret=${RFC_SECRET}&issuer=Keyline%20Demo&algorithm=SHA1&digits=6&period=30`,
    );
    // otplib's own parser reads it back.
    expect(parseURI(uri)).toEqual({
      type: 'totp',
      label: 'Keyline Demo:alice+mfa@example.com',
      params: { secret: RFC_SECRET, issuer: 'Keyline Demo', algorithm: 'sha1', digits: 6, period: 30 },
    });
    expect(new Totp({ digits: 8, periodSeconds: 60 }).keyUri(RFC_SECRET, { issuer: 'K', account: 'a' })).toMatch(/&digits=8&period=60$/);
  });

  it('refuses URI parts that would break the label, and secrets that are not base32', () => {
    expect(() => totp.keyUri(RFC_SECRET, { issuer: 'A:B', account: 'alice' })).toThrow(/issuer/);
    expect(() => totp.keyUri(RFC_SECRET, { issuer: 'Keyline', account: '' })).toThrow(/account/);
    expect(() => totp.keyUri('not base32!', { issuer: 'Keyline', account: 'alice' })).toThrow(/base32/);
  });

  it('throws, rather than answering invalid, when the stored secret is unusable', () => {
    expect(() => totp.verify('not base32!', '123456', at(59))).toThrow();
    // otplib's guardrail: at least 16 bytes (RFC 4226 §4 asks for 128 bits).
    expect(() => totp.verify('JBSWY3DPEHPK3PXP', '123456', at(59))).toThrow(/too short|at least/i);
  });

  it('refuses unsupported options', () => {
    expect(() => new Totp({ digits: 5 })).toThrow(/digits/);
    expect(() => new Totp({ periodSeconds: 0 })).toThrow(/periodSeconds/);
    expect(() => new Totp({ window: 3 })).toThrow(/window/);
  });
});
