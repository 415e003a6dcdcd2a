import { checkPassword, DEFAULT_PASSWORD_POLICY, PasswordPolicy, validatePolicy } from './password-policy';

const common = { has: (p: string) => ['password1', 'iloveyou1'].includes(p.toLowerCase()) };
const none = {};
const check = (password: string, policy: Partial<PasswordPolicy> = {}, context = none) =>
  checkPassword({ ...DEFAULT_PASSWORD_POLICY, ...policy }, password, context, common);

describe('checking a password against a policy', () => {
  it('accepts a long enough, uncommon password with no composition rules', () => {
    expect(check('correct horse battery staple')).toEqual([]);
    expect(check('abcdefgh')).toEqual([]);
    expect(check('😀😀😀😀😀😀😀😀')).toEqual([]);
  });

  it('defaults to NIST 800-63B: 8..256 characters, blocklist and identifiers checked, no history', () => {
    expect(DEFAULT_PASSWORD_POLICY).toEqual({ minLength: 8, maxLength: 256, rejectCommon: true, rejectContextWords: true, historySize: 0 });
    expect(Object.isFrozen(DEFAULT_PASSWORD_POLICY)).toBe(true);
  });

  it('counts code points after NFKC, not UTF-16 units or bytes', () => {
    // 7 emoji are 14 UTF-16 units and 28 bytes, but 7 characters.
    expect(check('🔑'.repeat(7))).toEqual(['password_too_short']);
    expect(check('🔑'.repeat(8))).toEqual([]);
    // "e" + combining acute is one character after NFKC.
    expect(check('e\u0301'.repeat(7))).toEqual(['password_too_short']);
    // The ligature "ﬀ" is two characters after NFKC.
    expect(check('\ufb00'.repeat(4))).toEqual([]);
  });

  it('enforces the minimum length of the policy', () => {
    expect(check('abcdefghijk', { minLength: 12 })).toEqual(['password_too_short']);
    expect(check('abcdefghijkl', { minLength: 12 })).toEqual([]);
    expect(check('')).toEqual(['password_too_short']);
  });

  it('refuses more than 256 characters, however the input is padded', () => {
    expect(check('a'.repeat(256))).toEqual([]);
    expect(check('a'.repeat(257))).toEqual(['password_too_long']);
    expect(check('a'.repeat(100_000))).toEqual(['password_too_long']);
    expect(check('🔑'.repeat(256))).toEqual([]);
  });

  it('treats spaces as characters but refuses a password of only whitespace', () => {
    expect(check('a       ')).toEqual([]);
    expect(check(' '.repeat(20))).toEqual(['password_too_short']);
    expect(check('\u3000'.repeat(10))).toEqual(['password_too_short']);
  });

  it('refuses common passwords unless the policy allows them', () => {
    expect(check('PASSWORD1')).toEqual(['password_common']);
    expect(check('password1', { rejectCommon: false })).toEqual([]);
  });

  it('refuses passwords containing the email local part or the username, in any case', () => {
    const context = { email: 'Alice.Smith+work@example.com', username: 'asmith' };
    expect(check('my name is alice.smith!', {}, context)).toEqual(['password_contains_identifier']);
    expect(check('ALICE.SMITH+WORK rocks', {}, context)).toEqual(['password_contains_identifier']);
    expect(check('xxASMITH2024', {}, context)).toEqual(['password_contains_identifier']);
    expect(check('totally unrelated', {}, context)).toEqual([]);
    expect(check('xxASMITH2024', { rejectContextWords: false }, context)).toEqual([]);
  });

  it('ignores identifiers shorter than 4 characters and missing ones', () => {
    expect(check('bobby tables', {}, { email: 'bob@example.com', username: 'bo' })).toEqual([]);
    expect(check('bobby tables', {}, { email: null, username: null })).toEqual([]);
    expect(check('bobby tables', {}, { email: 'bobb@example.com' })).toEqual(['password_contains_identifier']);
  });

  it('reports every rule broken at once', () => {
    expect(check('alice', { minLength: 8 }, { username: 'alice' })).toEqual(['password_too_short', 'password_contains_identifier']);
    expect(check('iloveyou1', {}, { username: 'love' })).toEqual(['password_common', 'password_contains_identifier']);
  });
});

describe('validating a policy from the admin API', () => {
  it('accepts a complete policy', () => {
    const input = { minLength: 12, maxLength: 256, rejectCommon: false, rejectContextWords: true, historySize: 5 };
    expect(validatePolicy(input)).toEqual({ policy: input, errors: [] });
  });

  it('fills in defaults for missing fields', () => {
    expect(validatePolicy({ minLength: 10 })).toEqual({ policy: { ...DEFAULT_PASSWORD_POLICY, minLength: 10 }, errors: [] });
    expect(validatePolicy({}).policy).toEqual(DEFAULT_PASSWORD_POLICY);
  });

  it('refuses a minimum length below 8 or above 256, and non-integers', () => {
    for (const minLength of [7, 257, 8.5, '12', null]) {
      expect(validatePolicy({ minLength })).toEqual({ errors: [{ field: 'minLength', message: 'must be an integer from 8 to 256' }] });
    }
    expect(validatePolicy({ minLength: 256 }).policy?.minLength).toBe(256);
  });

  it('refuses a history size outside 0..24', () => {
    expect(validatePolicy({ historySize: -1 }).errors).toEqual([{ field: 'historySize', message: 'must be an integer from 0 to 24' }]);
    expect(validatePolicy({ historySize: 25 }).errors).toHaveLength(1);
    expect(validatePolicy({ historySize: 24 }).policy?.historySize).toBe(24);
  });

  it('refuses a maximum length other than 256 and non-boolean switches', () => {
    expect(validatePolicy({ maxLength: 128, rejectCommon: 'yes' }).errors).toEqual([
      { field: 'rejectCommon', message: 'must be true or false' },
      { field: 'maxLength', message: 'is fixed at 256' },
    ]);
  });

  it('refuses unknown fields, including prototype keys from JSON', () => {
    expect(validatePolicy({ minLenght: 12 }).errors).toEqual([{ field: 'minLenght', message: 'is not a password policy field' }]);
    expect(validatePolicy(JSON.parse('{"__proto__": {"minLength": 1}}')).errors).toEqual([
      { field: '__proto__', message: 'is not a password policy field' },
    ]);
  });

  it('lists every problem at once and returns no policy', () => {
    const result = validatePolicy({ minLength: 4, historySize: 99, extra: true });
    expect(result.policy).toBeUndefined();
    expect(result.errors.map((e) => e.field).sort()).toEqual(['extra', 'historySize', 'minLength']);
  });

  it('refuses anything but an object', () => {
    for (const input of [null, undefined, 12, 'policy', []]) {
      expect(validatePolicy(input)).toEqual({ errors: [{ field: '', message: 'must be an object' }] });
    }
  });
});
