import type { FlowState } from './flow.types';
import { flowView, methodsOf } from './flow.view';

const flow = (over: Partial<FlowState>): FlowState => ({
  id: 'f'.repeat(32),
  kind: 'sign-in',
  tenantId: 't',
  createdAt: 0,
  expiresAt: 1_000,
  step: 'credentials',
  userId: null,
  identifier: null,
  amr: [],
  remember: false,
  returnTo: null,
  locale: null,
  secondFactors: [],
  code: null,
  enrolment: null,
  sessionId: null,
  ...over,
});

describe('flow view', () => {
  it('offers the email code only when the tenant enabled passwordless sign-in', () => {
    expect(methodsOf(flow({}), false)).toEqual(['password']);
    expect(methodsOf(flow({}), true)).toEqual(['password', 'send-code']);
    expect(methodsOf(flow({ kind: 'sign-up' }), true)).toEqual(['register']);
  });

  it('lists the second factors the user can use at the mfa step', () => {
    expect(methodsOf(flow({ step: 'mfa', secondFactors: ['totp', 'recovery-code'] }), false)).toEqual(['totp', 'recovery-code']);
    expect(methodsOf(flow({ step: 'mfa', secondFactors: ['email-code'] }), false)).toEqual(['send-code', 'code']);
  });

  it('never shows the pending code, the sealed enrolment or the user before completion', () => {
    const view = flowView({ flow: flow({ step: 'verify-email', userId: 'u', code: { mac: 'secret-mac', expiresAt: 1, attempts: 0, sends: 1 }, enrolment: 'sealed' }) }, false);
    expect(JSON.stringify(view)).not.toMatch(/secret-mac|sealed|"userId"/);
    expect(view).toEqual(expect.objectContaining({ step: 'verify-email', methods: ['code', 'send-code'] }));
  });

  it('hands the session token out once, on completion', () => {
    const view = flowView({ flow: flow({ step: 'complete' }), completion: { sessionToken: 'kls_x', sessionId: 's', expiresAt: 'e', userId: 'u', amr: ['pwd'] } }, false);
    expect(view.session).toEqual({ token: 'kls_x', id: 's', expiresAt: 'e' });
    expect(view.userId).toBe('u');
  });
});
