import { DEFAULT_AUTHN_SETTINGS, withDefaults } from './authn-settings';

describe('authn settings', () => {
  it('gives a new tenant working defaults (NIST password policy, optional MFA, lockout after 10)', () => {
    const s = withDefaults(null);
    expect(s).toEqual(DEFAULT_AUTHN_SETTINGS);
    expect(s.passwordPolicy).toEqual(expect.objectContaining({ minLength: 8, rejectCommon: true, historySize: 0 }));
    expect(s.mfa.policy).toBe('optional');
    expect(s.bruteForce.maxFailures).toBe(10);
  });

  it('fills sections and fields missing from stored settings with defaults', () => {
    const s = withDefaults({ mfa: { policy: 'required' } } as never);
    expect(s.mfa).toEqual({ ...DEFAULT_AUTHN_SETTINGS.mfa, policy: 'required' });
    expect(s.signUp).toEqual(DEFAULT_AUTHN_SETTINGS.signUp);
  });
});
