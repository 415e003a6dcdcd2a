import { codePointLength, foldPassword, normalisePassword } from './password-text';

describe('password text', () => {
  it('normalises to NFKC so that composed, decomposed and fullwidth forms are one password', () => {
    expect(normalisePassword('e\u0301te\u0301')).toBe('\u00e9t\u00e9');
    expect(normalisePassword('ＰＡＳＳ')).toBe('PASS');
    expect(normalisePassword('plain ascii')).toBe('plain ascii');
  });

  it('folds case after normalising', () => {
    expect(foldPassword('ＰａｓｓＷｏｒｄ1')).toBe('password1');
    expect(foldPassword('ÄÖÜ')).toBe('äöü');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('🔑🔑')).toBe(2);
    expect('🔑🔑'.length).toBe(4);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('\ud83d')).toBe(1);
    expect(codePointLength('\ud83dx')).toBe(2);
  });
});
