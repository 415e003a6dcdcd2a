import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_ALPHABET } from './recovery-codes';

describe('recovery codes', () => {
  it('generates ten distinct xxxxx-xxxxx codes by default', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it('never uses look-alike characters', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(31);
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[01oil]/);
    const all = generateRecoveryCodes(100).join('');
    expect(all).not.toMatch(/[01oil]/);
  });

  it('draws every symbol about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      for (const char of generateRecoveryCodes(100).join('').replace(/-/g, '')) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    // 20,000 symbols over 31: ~645 each; a biased draw would starve or flood some.
    expect(counts.size).toBe(31);
    for (const count of counts.values()) expect(count).toBeGreaterThan(500);
    for (const count of counts.values()) expect(count).toBeLessThan(800);
  });

  it('refuses a count outside 1..100', () => {
    expect(() => generateRecoveryCodes(0)).toThrow(RangeError);
    expect(() => generateRecoveryCodes(101)).toThrow(RangeError);
    expect(() => generateRecoveryCodes(2.5)).toThrow(RangeError);
  });

  it('normalises what users type: any case, spaces and dashes', () => {
    expect(normaliseRecoveryCode('abcde-fghjk')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('ABCDE FGHJK')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode(' abc-de-fg hjk ')).toBe('abcdefghjk');
    expect(normaliseRecoveryCode('ＡＢＣＤＥ－ＦＧＨＪＫ')).toBe('abcdefghjk');
    for (const code of generateRecoveryCodes()) expect(normaliseRecoveryCode(code)).toBe(code.replace('-', ''));
  });

  it('returns null for the wrong length or characters outside the alphabet', () => {
    for (const input of ['', 'abcde-fghj', 'abcde-fghjkm', 'abcde-fghj0', 'abcde-fghjo', 'abcde-fghj1', 'abcde-fghji', 'abcde-fghjl', 'abcde_fghjk']) {
      expect(normaliseRecoveryCode(input)).toBeNull();
    }
  });

  it('hashes with HMAC-SHA256 under the pepper, deterministically', () => {
    const hash = hashRecoveryCode('abcdefghjk', 'pepper-1');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashRecoveryCode('abcdefghjk', 'pepper-1')).toBe(hash);
    expect(hashRecoveryCode('abcdefghjk', 'pepper-2')).not.toBe(hash);
    expect(hashRecoveryCode('abcdefghjm', 'pepper-1')).not.toBe(hash);
    // HMAC-SHA256("pepper-1", "abcdefghjk"), computed independently with openssl.
    expect(hash).toBe('3tNucdTu3Rbn6YobcQZo3ecrlADICNcxCl9g4PEpfQI');
  });

  it('hashes only canonical codes and refuses an empty pepper', () => {
    expect(() => hashRecoveryCode('abcde-fghjk', 'pepper')).toThrow(/normaliseRecoveryCode/);
    expect(() => hashRecoveryCode('ABCDEFGHJK', 'pepper')).toThrow(RangeError);
    expect(() => hashRecoveryCode('abcdefghjk', '')).toThrow(/pepper/);
  });
});
