/** Consumer group of authn's identity read model (directory user and credential events). */
export const AUTHN_IDENTITIES_CONSUMER_GROUP = 'authn-identities';

/** Kafka topics of the authn context, keyed by tenant like every event topic. */
export const AuthnTopics = {
  /** Sign-ins, failures, lockouts and sign-outs. */
  signIn: 'keyline.authn.sign-in.v1',
  /** Changes to a user's credentials and factors: sign-up, password, email verification, MFA. */
  account: 'keyline.authn.account.v1',
} as const;

/** How a user proved who they are (RFC 8176 `amr` values where one exists). */
export type AuthMethod = 'pwd' | 'otp' | 'email' | 'rc' | 'mfa';

/** Why a sign-in failed; stable codes for audit and webhooks (never whether the account exists to the caller). */
export type SignInFailure = 'invalid_credentials' | 'locked' | 'throttled' | 'invalid_code' | 'replayed_code' | 'account_unavailable' | 'email_not_verified';

/** Where a request came from, as far as the platform knows. */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
}

export interface SignedUpData extends ClientContext {
  userId: string;
  method: 'password';
}

export interface SignedInData extends ClientContext {
  userId: string;
  sessionId: string;
  /** The methods used, in order (`pwd`, `otp`, ...). */
  amr: AuthMethod[];
  mfa: boolean;
  /** `true` for a step-up of an existing session. */
  stepUp: boolean;
}

export interface SignInFailedData extends ClientContext {
  /** Set only when the identifier matched a user: audit may know, the caller never does. */
  userId: string | null;
  reason: SignInFailure;
  /** The factor that failed. */
  method: 'password' | 'email-code' | 'totp' | 'recovery-code';
}

export interface LockedOutData extends ClientContext {
  userId: string;
  until: string;
  failures: number;
}

export interface SignedOutData {
  userId: string;
  sessionId: string;
}

export interface PasswordChangedData extends ClientContext {
  userId: string;
  /** `change`: by the user with the current password; `reset`: through a reset link. */
  via: 'change' | 'reset';
  otherSessionsRevoked: boolean;
}

export interface MfaFactorData extends ClientContext {
  userId: string;
  factor: 'totp' | 'recovery-codes' | 'email-code';
}

export interface EmailVerifiedData {
  userId: string;
  email: string;
}

export interface LockoutClearedData {
  userId: string;
  via: 'admin' | 'password-reset';
}

/** authn events by type (event envelope `data`). None carries a secret, code or token. */
export type AuthnEvents = {
  'authn.signed-up': SignedUpData;
  'authn.signed-in': SignedInData;
  'authn.sign-in-failed': SignInFailedData;
  'authn.locked-out': LockedOutData;
  'authn.lockout-cleared': LockoutClearedData;
  'authn.signed-out': SignedOutData;
  'authn.password-changed': PasswordChangedData;
  'authn.email-verified': EmailVerifiedData;
  'authn.mfa-enrolled': MfaFactorData;
  'authn.mfa-removed': MfaFactorData;
};

/** The topic of each authn event. */
export const AuthnEventTopics = {
  'authn.signed-up': AuthnTopics.account,
  'authn.signed-in': AuthnTopics.signIn,
  'authn.sign-in-failed': AuthnTopics.signIn,
  'authn.locked-out': AuthnTopics.signIn,
  'authn.lockout-cleared': AuthnTopics.signIn,
  'authn.signed-out': AuthnTopics.signIn,
  'authn.password-changed': AuthnTopics.account,
  'authn.email-verified': AuthnTopics.account,
  'authn.mfa-enrolled': AuthnTopics.account,
  'authn.mfa-removed': AuthnTopics.account,
} as const satisfies Record<keyof AuthnEvents, string>;

/** Topics other contexts may consume (audit, webhooks). */
export const AuthnPublicTopics = [AuthnTopics.signIn, AuthnTopics.account] as const;
