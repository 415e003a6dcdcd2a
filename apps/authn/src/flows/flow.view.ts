import type { FlowMethod } from './dto/flow.dto';
import type { FlowResult, FlowState } from './flow.types';

/** A flow as the JSON API shows it: where it stands and what may be sent next. */
export interface FlowView {
  id: string;
  kind: FlowState['kind'];
  step: FlowState['step'];
  expiresAt: string;
  methods: FlowMethod[];
  secondFactors?: FlowState['secondFactors'];
  returnTo: string | null;
  session?: { token: string; id: string; expiresAt: string };
  userId?: string;
  totp?: { secret: string; otpauthUri: string; qrCode: string };
  recoveryCodes?: string[];
}

export function methodsOf(flow: FlowState, passwordless: boolean): FlowMethod[] {
  switch (flow.step) {
    case 'credentials':
      if (flow.kind === 'sign-up') return ['register'];
      return passwordless ? ['password', 'send-code'] : ['password'];
    case 'email-code':
    case 'verify-email':
      return ['code', 'send-code'];
    case 'mfa':
      return [
        ...(flow.secondFactors.includes('totp') ? (['totp'] as const) : []),
        ...(flow.secondFactors.includes('recovery-code') ? (['recovery-code'] as const) : []),
        ...(flow.secondFactors.includes('email-code') ? (['send-code', 'code'] as const) : []),
      ];
    case 'mfa-enrol':
      return ['enrol-totp', 'confirm-totp'];
    case 'complete':
      return [];
  }
}

export function flowView(r: FlowResult, passwordless: boolean): FlowView {
  const f = r.flow;
  return {
    id: f.id,
    kind: f.kind,
    step: f.step,
    expiresAt: new Date(f.expiresAt).toISOString(),
    methods: methodsOf(f, passwordless),
    ...(f.step === 'mfa' ? { secondFactors: f.secondFactors } : {}),
    returnTo: f.returnTo,
    ...(r.completion ? { session: { token: r.completion.sessionToken, id: r.completion.sessionId, expiresAt: r.completion.expiresAt }, userId: r.completion.userId } : {}),
    ...(r.enrolment ? { totp: r.enrolment } : {}),
    ...(r.recoveryCodes ? { recoveryCodes: r.recoveryCodes } : {}),
  };
}
