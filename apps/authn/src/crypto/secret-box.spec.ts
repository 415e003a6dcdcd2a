import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretBox, SecretBoxError } from './secret-box';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const OLD = `old:${key(1)}`;
const NEW = `new:${key(2)}`;
const AAD = 'totp:tenant-1:user-1';

const rejection = (fn: () => unknown): SecretBoxError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecretBoxError) return err;
    throw err;
  }
  throw new Error('expected SecretBoxError');
};

describe('secret box', () => {
  const box = SecretBox.fromConfig(OLD);

  it('opens what it sealed', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', AAD);
    expect(sealed).toMatch(/^v1\.old\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(box.open(sealed, AAD)).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(box.open(box.seal('', AAD), AAD)).toBe('');
    expect(box.open(box.seal('pässwörd 🔑', AAD), AAD)).toBe('pässwörd 🔑');
  });

  it('uses a fresh IV for every value', () => {
    const [a, b] = [box.seal('same', AAD), box.seal('same', AAD)];
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('refuses to open with another AAD', () => {
    const sealed = box.seal('seed', AAD);
    expect(rejection(() => box.open(sealed, 'totp:tenant-1:user-2')).message).toMatch(/authentication failed/);
    expect(() => box.open(sealed, '')).toThrow(SecretBoxError);
  });

  it('refuses tampered ciphertext, IV or tag', () => {
    const sealed = box.seal('a secret seed', AAD);
    const parts = sealed.split('.');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const tampered = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      expect(() => box.open(tampered, AAD)).toThrow(/authentication failed/);
    }
    const truncated = [...parts.slice(0, 3), parts[3].slice(0, -2), parts[4]].join('.');
    expect(() => box.open(truncated, AAD)).toThrow(SecretBoxError);
  });

  it('refuses a value sealed with a key it does not hold, or with the same kid but another key', () => {
    const sealed = SecretBox.fromConfig(NEW).seal('seed', AAD);
    expect(rejection(() => box.open(sealed, AAD)).message).toBe('sealed with unknown key "new"');
    const impostor = SecretBox.fromConfig(`old:${key(3)}`).seal('seed', AAD);
    expect(() => box.open(impostor, AAD)).toThrow(/authentication failed/);
  });

  it('refuses malformed sealed values', () => {
    for (const sealed of ['', 'seed', 'v2.old.a.b.c', 'v1.old.a.b', 'v1.old.a.b.c.d', 'v1.o!d.AAAAAAAAAAAAAAAA..AAAAAAAAAAAAAAAAAAAAAA']) {
      expect(() => box.open(sealed, AAD)).toThrow(SecretBoxError);
    }
    expect(() => box.open('v1.old.AAAA..AAAAAAAAAAAAAAAAAAAAAA', AAD)).toThrow(/wrong IV or tag length/);
    expect(() => box.open('v1.old.AAAAAAAAAAAAAAAA.a+b.AAAAAAAAAAAAAAAAAAAAAA', AAD)).toThrow(/not base64url/);
  });

  it('rotates: a new ring with the old key second opens old values and asks for them to be resealed', () => {
    const sealedOld = box.seal('seed', AAD);
    const rotated = SecretBox.fromConfig(`${NEW}, ${OLD}`);
    expect(rotated.currentKid).toBe('new');
    expect(rotated.kids).toEqual(['new', 'old']);
    expect(rotated.open(sealedOld, AAD)).toBe('seed');
    expect(rotated.needsReseal(sealedOld)).toBe(true);

    const resealed = rotated.seal(rotated.open(sealedOld, AAD), AAD);
    expect(resealed.startsWith('v1.new.')).toBe(true);
    expect(rotated.needsReseal(resealed)).toBe(false);
    expect(box.needsReseal(sealedOld)).toBe(false);
  });

  it('generates specs it accepts, with a fresh 32-byte key each time', () => {
    const spec = SecretBox.generateKeySpec();
    expect(spec).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    expect(SecretBox.generateKeySpec('2026-01')).toMatch(/^2026-01:/);
    expect(SecretBox.generateKeySpec()).not.toBe(spec);
    const generated = SecretBox.fromConfig(spec);
    expect(generated.open(generated.seal('x', AAD), AAD)).toBe('x');
    expect(() => SecretBox.generateKeySpec('a.b')).toThrow(/invalid kid/);
  });

  it('accepts base64url keys and surrounding whitespace', () => {
    const raw = randomBytes(32);
    expect(SecretBox.fromConfig(` k1:${raw.toString('base64url')} `).currentKid).toBe('k1');
  });

  it('rejects bad specs with messages that never contain the key', () => {
    const secret = randomBytes(32).toString('base64');
    const short = randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      ['', /key spec is empty/],
      ['   ', /key spec is empty/],
      [secret, /entry 1 is not kid:base64key/],
      [`k1:${secret},`, /entry 2 is not kid:base64key/],
      [`:${secret}`, /entry 1 has an invalid kid/],
      [`k.1:${secret}`, /entry 1 has an invalid kid/],
      [`k1:${short}`, /entry 1 \(kid "k1"\): key is 16 bytes; expected 32/],
      [`k1:${secret},k2:${secret}a`, /entry 2 \(kid "k2"\): key is not base64/],
      [`k1:${secret},k1:${secret}`, /entry 2 repeats kid "k1"/],
      [`k1:${secret.replace('=', '')}!`, /key is not base64/],
      ['k1:', /key is not base64/],
    ];
    for (const [spec, message] of cases) {
      const err = rejection(() => SecretBox.fromConfig(spec));
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(secret.slice(0, 12));
      expect(err.message).not.toContain(short.slice(0, 12));
    }
  });

  it('does not reveal keys when logged', () => {
    const secret = randomBytes(32);
    const box = SecretBox.fromConfig(`k1:${secret.toString('base64')}`);
    const logged = JSON.stringify(box) + inspect(box, { depth: 5, showHidden: true });
    expect(logged).not.toContain(secret.toString('base64').slice(0, 12));
    expect(logged).not.toContain(secret.toString('hex').slice(0, 12));
  });
});
