import { randomBytes } from 'node:crypto';
import { CommonPasswords, commonPasswords } from './common-passwords';

describe('common passwords', () => {
  const list = commonPasswords();

  it('loads about 200k distinct entries of 8 or more characters', () => {
    expect(list.size).toBeGreaterThan(100_000);
    expect(list.size).toBeLessThan(437_651);
  });

  it('finds common passwords in any letter case', () => {
    for (const password of ['password1', 'qwertyuiop', '12345678', 'iloveyou', 'PassWord1', 'QWERTYUIOP', 'ILoveYou']) {
      expect(list.has(password)).toBe(true);
    }
  });

  it('finds them in other Unicode forms too', () => {
    expect(list.has('ｐａｓｓｗｏｒｄ１')).toBe(true);
  });

  it('reads lines that end in \\r\\n like any other', () => {
    // "baseball" is among the lines of the file that end in "\r\n".
    expect(list.has('baseball')).toBe(true);
    expect(list.has('baseball\r')).toBe(false);
  });

  it('does not find a random string', () => {
    expect(list.has(randomBytes(15).toString('base64'))).toBe(false);
    expect(list.has('')).toBe(false);
  });

  it('does not load entries shorter than the minimum length', () => {
    expect(list.has('123456')).toBe(false);
    expect(list.has('qwerty')).toBe(false);
    expect(list.has('1234567')).toBe(false);
  });

  it('loads shorter entries when asked to', () => {
    const longer = CommonPasswords.load({ minLength: 6 });
    expect(longer.has('123456')).toBe(true);
    expect(longer.has('12345')).toBe(false);
    expect(longer.size).toBeGreaterThan(list.size);
  });

  it('finds the first and last entries of the sorted set', () => {
    // Binary search edges: a value below every entry and one above every entry.
    expect(list.has('\u0000')).toBe(false);
    expect(list.has('\uffff\uffff\uffff\uffff\uffff\uffff\uffff\uffff')).toBe(false);
  });

  it('is loaded once per process', () => {
    expect(commonPasswords()).toBe(list);
  });

  it('refuses a minimum length that is not a positive integer', () => {
    expect(() => CommonPasswords.load({ minLength: 0 })).toThrow(RangeError);
    expect(() => CommonPasswords.load({ minLength: 7.5 })).toThrow(/positive integer/);
  });
});
