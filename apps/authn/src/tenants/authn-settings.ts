import type { MailTemplateOverrides } from '../mail/mail.templates';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../crypto/password-policy';

export const MFA_POLICIES = ['off', 'optional', 'required', 'required-for-groups'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];
export const MFA_METHODS = ['totp', 'email-code'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** A tenant's sign-in configuration. Every section has defaults, so a new tenant works at once. */
export interface AuthnSettings {
  signUp: { enabled: boolean; requireEmailVerification: boolean };
  passwordPolicy: PasswordPolicy;
  passwordless: { emailCode: boolean };
  mfa: { policy: MfaPolicy; groups: string[]; methods: MfaMethod[] };
  bruteForce: {
    /** Failures per identifier before the temporary lockout. */
    maxFailures: number;
    lockoutMinutes: number;
    /** Failures per client IP within the window before that IP is throttled. */
    maxFailuresPerIp: number;
  };
  sessions: { idleMinutes: number; absoluteHours: number; rememberMeDays: number };
  branding: { name: string | null; logoUrl: string | null; primaryColor: string | null };
  mail: { from: string | null; templates: MailTemplateOverrides };
}

export const DEFAULT_AUTHN_SETTINGS: AuthnSettings = Object.freeze({
  signUp: { enabled: true, requireEmailVerification: false },
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  passwordless: { emailCode: false },
  mfa: { policy: 'optional', groups: [], methods: ['totp', 'email-code'] },
  bruteForce: { maxFailures: 10, lockoutMinutes: 15, maxFailuresPerIp: 100 },
  sessions: { idleMinutes: 60, absoluteHours: 24, rememberMeDays: 30 },
  branding: { name: null, logoUrl: null, primaryColor: null },
  mail: { from: null, templates: {} },
}) as AuthnSettings;

/** Stored settings over the defaults, section by section (a section added later gets its defaults). */
export function withDefaults(stored: Partial<AuthnSettings> | null | undefined): AuthnSettings {
  const s = stored ?? {};
  const d = DEFAULT_AUTHN_SETTINGS;
  return {
    signUp: { ...d.signUp, ...s.signUp },
    passwordPolicy: { ...d.passwordPolicy, ...s.passwordPolicy },
    passwordless: { ...d.passwordless, ...s.passwordless },
    mfa: { ...d.mfa, ...s.mfa },
    bruteForce: { ...d.bruteForce, ...s.bruteForce },
    sessions: { ...d.sessions, ...s.sessions },
    branding: { ...d.branding, ...s.branding },
    mail: { ...d.mail, ...s.mail },
  };
}
