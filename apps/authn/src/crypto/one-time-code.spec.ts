import { codesEqual, generateNumericCode, generateToken, hashCode, hashToken } from './one-time-code';

describe('numeric one-time codes', () => {
  it('generates six digits by default, keeping leading zeros', () => {
    const codes = Array.from({ length: 2000 }, () => generateNumericCode());
    for (const code of codes) expect(code).toMatch(/^[0-9]{6}$/);
    // 10% of uniform 6-digit codes start with 0; a code built from a number without padding would not.
    expect(codes.filter((c) => c.startsWith('0')).length).toBeGreaterThan(100);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(generateNumericCode(8)).toMatch(/^[0-9]{8}$/);
  });

  it('draws every digit about equally often in every position', () => {
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < 10_000; i++) [...generateNumericCode()].forEach((d, pos) => counts[pos][Number(d)]++);
    // ~1000 each (sd ~30).
    for (const row of counts) for (const count of row) expect(Math.abs(count - 1000)).toBeLessThan(200);
  });

  it('refuses a length outside 4..10', () => {
    expect(() => generateNumericCode(3)).toThrow(RangeError);
    expect(() => generateNumericCode(11)).toThrow(RangeError);
  });

  it('hashes with HMAC-SHA256 under the pepper, ignoring spaces and fullwidth digits', () => {
    // HMAC-SHA256("pepper-1", "123456"), computed independently with openssl.
    expect(hashCode('123456', 'pepper-1')).toBe('KbkiO6XV41LltVHzDBPaePXWQYi96RFB0rLcPCVTjTg');
    expect(hashCode('123 456', 'pepper-1')).toBe(hashCode('123456', 'pepper-1'));
    expect(hashCode('１２３４５６', 'pepper-1')).toBe(hashCode('123456', 'pepper-1'));
    expect(hashCode('123456', 'pepper-2')).not.toBe(hashCode('123456', 'pepper-1'));
    expect(() => hashCode('123456', '')).toThrow(/pepper/);
  });

  it('compares hashes exactly', () => {
    const a = hashCode('123456', 'p');
    expect(codesEqual(a, hashCode('123456', 'p'))).toBe(true);
    expect(codesEqual(a, hashCode('123457', 'p'))).toBe(false);
    expect(codesEqual(a, a.slice(0, -1))).toBe(false);
    expect(codesEqual(a, '')).toBe(false);
  });
});

describe('link tokens', () => {
  it('generates 256-bit base64url tokens', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
  });

  it('hashes tokens with SHA-256 for storage', () => {
    // SHA-256("token"), computed independently with openssl.
    expect(hashToken('token')).toBe('PEaenWxYddN6Q_NT1PiOYfz4EsZu7jRXRlpAsNpBU-A');
    const token = generateToken();
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toBe(token);
  });
});
