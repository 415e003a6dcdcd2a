import type { AuthMethod, ClientContext } from '@keyline/authn-contracts';

export const FLOW_KINDS = ['sign-in', 'sign-up', 'step-up'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/**
 * Where a flow stands. `credentials`: waiting for the first factor (password or, if enabled, an email
 * code); `email-code`: a sign-in code was sent; `verify-email`: the user must confirm their address
 * with a code; `mfa`: a second factor is due; `mfa-enrol`: MFA is required and nothing is enrolled yet;
 * `complete`: a session exists (the flow is gone afterwards).
 */
export type FlowStep = 'credentials' | 'email-code' | 'verify-email' | 'mfa' | 'mfa-enrol' | 'complete';

export type SecondFactor = 'totp' | 'recovery-code' | 'email-code';

/** A one-time code sent by email, kept as a MAC in the flow. */
export interface PendingCode {
  mac: string;
  expiresAt: number;
  attempts: number;
  sends: number;
}

/** The server-side state of a flow (Redis, with a TTL); the flow id is an unguessable bearer handle. */
export interface FlowState {
  id: string;
  kind: FlowKind;
  tenantId: string;
  createdAt: number;
  expiresAt: number;
  step: FlowStep;
  userId: string | null;
  /** The identifier typed (email-code sign-in), for brute-force keys and the code mail. */
  identifier: string | null;
  amr: AuthMethod[];
  remember: boolean;
  returnTo: string | null;
  locale: string | null;
  secondFactors: SecondFactor[];
  code: PendingCode | null;
  /** Sealed TOTP seed of an enrolment in progress. */
  enrolment: string | null;
  /** Step-up: the session to elevate (its id; the token travels with each request). */
  sessionId: string | null;
}

/** What a finished flow hands to its caller once: the session token (a cookie for hosted pages). */
export interface FlowCompletion {
  sessionToken: string;
  sessionId: string;
  expiresAt: string;
  userId: string;
  amr: AuthMethod[];
}

export interface FlowResult {
  flow: FlowState;
  completion?: FlowCompletion;
  /** TOTP enrolment data (shown once) or fresh recovery codes (shown once). */
  enrolment?: { secret: string; otpauthUri: string; qrCode: string };
  recoveryCodes?: string[];
}

export interface RequestContext extends ClientContext {
  locale: string | null;
}
