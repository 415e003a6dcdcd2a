import { randomBytes } from 'node:crypto';
import { expectProblem, waitFor } from '@keyline/platform-testing';
import {
  type AuthnTenant,
  type AuthnWorld,
  AuthnApi,
  Authenticator,
  type FlowView,
  SUBJECT,
  codeOf,
  freshEmail,
  freshPassword,
  mailsTo,
  nextMail,
  resetTokenOf,
  authnTenants,
  startAuthnWorld,
  wrongTotp,
} from './support/authn';

const ACR_MFA = 'urn:keyline:acr:mfa';
const ACR_PASSWORD = 'urn:keyline:acr:password';

/** What a flow answer shows, without what differs between any two flows (its id and expiry). */
const shapeOf = (f: FlowView) => ({ ...f, id: typeof f.id, expiresAt: typeof f.expiresAt });
/** A problem without what differs between any two answers (the trace id of the request). */
const sansTrace = (p: object) => {
  const { traceId: _traceId, ...rest } = p as Record<string, unknown>;
  return rest;
};
/** A six-digit code that is not `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/**
 * The headless authentication API under each tenant's issuer (`/t/{slug}/v1/...`) and the self-service
 * API (`/v1/me`), through the gateway, with mail going to a real SMTP server.
 */
describe('authn: the JSON flow and self-service API through the gateway', () => {
  let world: AuthnWorld;
  /** See `authnTenants`. */
  let acme: AuthnTenant;
  let plain: AuthnTenant;
  let strict: AuthnTenant;
  let api: AuthnApi;
  let plainApi: AuthnApi;
  let strictApi: AuthnApi;
  /** Every password, code and token the tests used: none of them may show up in an event. */
  const secrets: string[] = [];
  const secret = <T extends string>(s: T): T => {
    secrets.push(s);
    return s;
  };

  beforeAll(async () => {
    world = await startAuthnWorld('e2e_authn_api');
    ({ acme, plain, strict } = await authnTenants(world));
    api = new AuthnApi(world.call, acme, world.sink);
    plainApi = new AuthnApi(world.call, plain, world.sink);
    strictApi = new AuthnApi(world.call, strict, world.sink);
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  /** Signs up a fresh user on acme; their address, password and first session. */
  const newUser = async (who = 'user') => {
    const email = freshEmail(who);
    const password = secret(freshPassword());
    const s = await api.signUp(email, password);
    secrets.push(s.token);
    return { email, password, ...s };
  };

  it('signs up with the code mailed to the address and answers a session token that /v1/me accepts', async () => {
    const email = freshEmail('ada');
    const password = secret(freshPassword());
    const flow = await api.start('sign-up');
    expect(flow.status).toBe(201);
    expect(flow.body).toEqual(expect.objectContaining({ kind: 'sign-up', step: 'credentials', methods: ['register'], returnTo: null }));

    const registered = await api.submit(flow.body.id, { method: 'register', email, password, givenName: 'Ada', familyName: 'Lovelace' });
    expect(registered.status).toBe(200);
    expect(registered.body).toEqual(expect.objectContaining({ id: flow.body.id, step: 'verify-email', methods: ['code', 'send-code'] }));
    expect(registered.body.session).toBeUndefined();

    const mail = await nextMail(world.sink, email, SUBJECT.verifyEmail);
    const code = secret(codeOf(mail));
    expectProblem(await api.submit(flow.body.id, { method: 'code', code: otherThan(code) }), 401, 'invalid_code');
    const done = await api.submit(flow.body.id, { method: 'code', code });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ step: 'complete', userId: expect.any(String), session: { token: expect.stringMatching(/^kls_/), id: expect.any(String), expiresAt: expect.any(String) } }));
    const token = secret(done.body.session!.token);

    const me = await api.me(token);
    expect(me.status).toBe(200);
    expect(me.body.profile).toEqual(expect.objectContaining({ id: done.body.userId, email, emailVerified: true, givenName: 'Ada' }));
    expect(me.body.mfa).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect(me.body.session).toEqual(expect.objectContaining({ id: done.body.session!.id, amr: ['pwd'], acr: ACR_PASSWORD }));
    const renamed = await api.me<{ givenName: string }>(token, 'PATCH', '', { givenName: 'Augusta' });
    expect(renamed.status).toBe(200);
    expect((await api.me(token)).body.profile.givenName).toBe('Augusta');

    // A finished flow is gone; the code cannot start another session.
    expectProblem(await api.getFlow(flow.body.id), 404, 'flow_not_found');
    expectProblem(await api.submit(flow.body.id, { method: 'code', code }), 404, 'flow_not_found');
    expectProblem(await api.me(undefined), 401, 'session_required');
    expectProblem(await api.me(`kls_${randomBytes(32).toString('base64url')}`), 401, 'session_required');
  });

  it('answers a sign-up for a registered address exactly like a new one, mails only the owner, and accepts no code', async () => {
    const owner = await newUser('owner');
    const verifyMailsBefore = mailsTo(world.sink, owner.email, SUBJECT.verifyEmail).length;

    const fresh = await api.start('sign-up');
    const forNew = await api.submit(fresh.body.id, { method: 'register', email: freshEmail('newcomer'), password: secret(freshPassword()) });
    const taken = await api.start('sign-up');
    const forTaken = await api.submit(taken.body.id, { method: 'register', email: owner.email, password: secret(freshPassword()) });
    expect(forTaken.status).toBe(forNew.status);
    expect(shapeOf(forTaken.body)).toEqual(shapeOf(forNew.body));
    expect(forTaken.body.step).toBe('verify-email');

    // The owner learns of the attempt (a hint to reset the password); no verification code goes out.
    const hint = await nextMail(world.sink, owner.email, SUBJECT.resetPassword);
    expect(hint.text).toContain('/forgot-password');
    expect(mailsTo(world.sink, owner.email, SUBJECT.verifyEmail)).toHaveLength(verifyMailsBefore);
    expectProblem(await api.submit(taken.body.id, { method: 'code', code: '123456' }), 401, 'invalid_code');
    // And the account is still the owner's alone.
    expect((await api.signIn(owner.email, owner.password)).userId).toBe(owner.userId);
  });

  it('answers repeated sign-ups for a registered address exactly like those for an address without an account', async () => {
    // A prober does not know whether the address had an account: with a new one, the first sign-up creates it.
    const owner = await newUser('popular');
    const newcomer = freshEmail('newcomer');
    const answers = async (email: string) => {
      const out: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        const flow = await api.start('sign-up');
        const res = await api.submit(flow.body.id, { method: 'register', email, password: secret(freshPassword()) });
        out.push(res.status === 200 ? shapeOf(res.body) : { status: res.status, code: (res.body as unknown as { code: string }).code });
      }
      return out;
    };
    expect(await answers(owner.email)).toEqual(await answers(newcomer));
  });

  it('signs in with a password, keeps each flow to its step, and signs out so that the token stops working', async () => {
    const user = await newUser('grace');
    const flow = await api.start('sign-in', { returnTo: 'https://app.example/after' });
    expect(flow.status).toBe(201);
    expect(flow.body).toEqual(expect.objectContaining({ kind: 'sign-in', step: 'credentials', methods: ['password', 'send-code'], returnTo: 'https://app.example/after' }));
    expect(Date.parse(flow.body.expiresAt)).toBeGreaterThan(Date.now());
    expect((await api.getFlow(flow.body.id)).body.step).toBe('credentials');
    expectProblem(await api.submit(flow.body.id, { method: 'code', code: '123456' }), 409, 'invalid_flow_step');
    expectProblem(await api.submit(flow.body.id, { method: 'totp', code: '123456' }), 409, 'invalid_flow_step');

    const done = await api.submit(flow.body.id, { method: 'password', identifier: user.email.toUpperCase(), password: user.password });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ step: 'complete', userId: user.userId, returnTo: 'https://app.example/after' }));
    const token = secret(done.body.session!.token);
    expect(token).not.toBe(user.token);
    expect((await api.me(token)).body.session.id).toBe(done.body.session!.id);

    expectProblem(await api.getFlow(randomBytes(24).toString('base64url')), 404, 'flow_not_found');
    // A flow belongs to its tenant's issuer.
    const foreign = await plainApi.start('sign-in');
    expectProblem(await api.getFlow(foreign.body.id), 404, 'flow_not_found');
    expectProblem(await api.submit(foreign.body.id, { method: 'password', identifier: user.email, password: user.password }), 404, 'flow_not_found');
    expectProblem(await api.submit(randomBytes(24).toString('base64url'), { method: 'password', identifier: user.email, password: user.password }), 404, 'flow_not_found');

    const out = await world.call('POST', `${acme.path}/v1/sign-out`, { key: token });
    expect(out.status).toBe(204);
    expectProblem(await api.me(token), 401, 'session_required');
    // Only that session ended.
    expect((await api.me(user.token)).status).toBe(200);
  });

  it('refuses a wrong password and an unknown address with the same 401', async () => {
    const user = await newUser('alan');
    const wrong = expectProblem(await api.password(user.email, secret(freshPassword())), 401, 'invalid_credentials');
    const unknown = expectProblem(await api.password(freshEmail('nobody'), secret(freshPassword())), 401, 'invalid_credentials');
    expect(sansTrace(unknown)).toEqual(sansTrace(wrong));
  });

  it('locks a real and an unknown address alike after 3 failures, audits the real lockout, and lets an admin release it', async () => {
    const user = await newUser('locked');
    const stranger = freshEmail('stranger');
    for (let i = 1; i <= 3; i++) {
      const real = expectProblem(await api.password(user.email, secret(freshPassword())), 401, 'invalid_credentials');
      const fake = expectProblem(await api.password(stranger, secret(freshPassword())), 401, 'invalid_credentials');
      expect(sansTrace(fake)).toEqual(sansTrace(real));
    }
    // Locked now: even the right password is refused, with how long to wait.
    const real = expectProblem(await api.password(user.email, user.password), 429, 'too_many_attempts') as unknown as Record<string, unknown>;
    const fake = expectProblem(await api.password(stranger, secret(freshPassword())), 429, 'too_many_attempts') as unknown as Record<string, unknown>;
    expect(real.retryAfter).toEqual(expect.any(Number));
    expect(real.retryAfter).toBeGreaterThan(50);
    expect(real.retryAfter).toBeLessThanOrEqual(60);
    expect(Object.keys(fake).sort()).toEqual(Object.keys(real).sort());
    expect(Math.abs((fake.retryAfter as number) - (real.retryAfter as number))).toBeLessThanOrEqual(1);
    expect({ ...sansTrace(fake), retryAfter: 0, detail: '' }).toEqual({ ...sansTrace(real), retryAfter: 0, detail: '' });

    const locked = await world.call<{ userId: string; failures: number; lockedUntil: string | null }>('GET', `/v1/lockouts/${user.userId}`, { key: acme.key });
    expect(locked.status).toBe(200);
    expect(locked.body).toEqual({ userId: user.userId, failures: 3, lockedUntil: expect.any(String) });
    expect(Date.parse(locked.body.lockedUntil!)).toBeGreaterThan(Date.now());
    expect(Date.parse(locked.body.lockedUntil!)).toBeLessThanOrEqual(Date.now() + 61_000);
    const warning = await nextMail(world.sink, user.email, SUBJECT.accountLocked);
    expect(warning.text).toContain(user.email);

    const events = await waitFor(
      async () => {
        const all = await api.auditEvents('authn.locked-out');
        return all.some((e) => e.subject === user.userId) ? all : undefined;
      },
      30_000,
      250,
      'authn.locked-out in the audit log',
    );
    const lockout = events.find((e) => e.subject === user.userId)!;
    expect(lockout.data).toEqual(expect.objectContaining({ userId: user.userId, failures: 3, until: expect.any(String) }));
    expect(events.filter((e) => e.subject === 'unknown' || e.data.userId === null)).toEqual([]);

    expect((await world.call('DELETE', `/v1/lockouts/${user.userId}`, { key: acme.key })).status).toBe(204);
    const released = await world.call('GET', `/v1/lockouts/${user.userId}`, { key: acme.key });
    expect(released.body).toEqual({ userId: user.userId, failures: 0, lockedUntil: null });
    expect((await api.signIn(user.email, user.password)).userId).toBe(user.userId);
    // The stranger's lock stays: there is no account to release it for.
    expectProblem(await api.password(stranger, secret(freshPassword())), 429, 'too_many_attempts');
  });

  it('slows guessing down from the third failure on, for real and unknown addresses alike', async () => {
    // Default settings: 10 failures before the lockout, delays of 1 s, 2 s, 4 s ... from the third.
    const email = freshEmail('guessed');
    const password = secret(freshPassword());
    const user = await plainApi.signUp(email, password);
    const stranger = freshEmail('stranger');
    const guess = async (who: string) => sansTrace(expectProblem(await plainApi.password(who, secret(freshPassword())), 401, 'invalid_credentials'));
    for (let i = 0; i < 3; i++) expect(await guess(stranger)).toEqual(await guess(email));

    const waitReal = expectProblem(await plainApi.password(email, password), 429, 'too_many_attempts') as unknown as { retryAfter: number };
    const waitFake = expectProblem(await plainApi.password(stranger, password), 429, 'too_many_attempts') as unknown as { retryAfter: number };
    expect([waitReal.retryAfter, waitFake.retryAfter]).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await guess(stranger)).toEqual(await guess(email));
    const longer = expectProblem(await plainApi.password(email, password), 429, 'too_many_attempts') as unknown as { retryAfter: number };
    expect(longer.retryAfter).toBe(2);
    await new Promise((r) => setTimeout(r, 2100));
    // Not locked: the right password still gets in once the wait is over, and forgets the failures.
    expect((await plainApi.signIn(email, password)).userId).toBe(user.userId);
    const after = await world.call('GET', `/v1/lockouts/${user.userId}`, { key: plain.key });
    expect(after.body).toEqual({ userId: user.userId, failures: 0, lockedUntil: null });
  });

  it('resets a forgotten password once with the mailed link, ending every session and lifting a lockout', async () => {
    const user = await newUser('forgetful');
    const stranger = freshEmail('stranger');
    const forUnknown = await world.call('POST', `${acme.path}/v1/recovery`, { json: { email: stranger } });
    const forKnown = await world.call('POST', `${acme.path}/v1/recovery`, { json: { email: user.email } });
    expect(forKnown.status).toBe(202);
    expect(forUnknown.status).toBe(202);
    expect(forKnown.body).toEqual({ status: 'accepted' });
    expect(forUnknown.body).toEqual(forKnown.body);
    const token = secret(resetTokenOf(await nextMail(world.sink, user.email, SUBJECT.resetPassword)));
    expect(world.sink.messages.filter((m) => m.to.includes(stranger))).toEqual([]);

    // Locked out by guesses meanwhile.
    for (let i = 0; i < 3; i++) expectProblem(await api.password(user.email, secret(freshPassword())), 401, 'invalid_credentials');
    expectProblem(await api.password(user.email, user.password), 429, 'too_many_attempts');

    const reset = (body: Record<string, unknown>) => world.call('POST', `${acme.path}/v1/recovery/reset`, { json: body });
    expectProblem(await reset({ token: randomBytes(32).toString('base64url'), password: secret(freshPassword()) }), 400, 'invalid_token');
    // A password the policy refuses leaves the link usable.
    const short = expectProblem(await reset({ token, password: 'Short-pw-1' }), 400, 'password_rejected');
    expect(short.errors).toEqual([{ field: 'password', message: 'password_too_short' }]);

    const newPassword = secret(freshPassword());
    expect((await reset({ token, password: newPassword })).status).toBe(204);
    expectProblem(await api.me(user.token), 401, 'session_required');
    expectProblem(await api.password(user.email, user.password), 401, 'invalid_credentials');
    expect((await api.signIn(user.email, newPassword)).userId).toBe(user.userId);
    expectProblem(await reset({ token, password: secret(freshPassword()) }), 400, 'invalid_token');
    expect((await api.signIn(user.email, newPassword)).userId).toBe(user.userId);
  });

  it('asks for the authenticator app after TOTP enrolment via /v1/me, accepts a fresh code and refuses a replayed one', async () => {
    const user = await newUser('totp');
    const begun = await api.me<{ secret: string; otpauthUri: string; qrCode: string }>(user.token, 'POST', '/mfa/totp');
    expect(begun.status).toBe(200);
    expect(begun.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(begun.body.otpauthUri).toMatch(new RegExp(`^otpauth://totp/.+\\?secret=${begun.body.secret}&`));
    expect(begun.body.qrCode).toMatch(/^data:image\/svg\+xml/);
    secret(begun.body.secret);
    const app = new Authenticator(begun.body.secret);
    expectProblem(await api.me(user.token, 'POST', '/mfa/totp/verify', { code: wrongTotp(begun.body.secret) }), 401, 'invalid_code');
    const confirmed = await api.me<{ recoveryCodes: string[] }>(user.token, 'POST', '/mfa/totp/verify', { code: secret(await app.next()) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    confirmed.body.recoveryCodes.forEach(secret);
    const me = await api.me(user.token);
    expect(me.body.mfa).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(me.body.session.acr).toBe(ACR_MFA);
    expectProblem(await api.me(user.token, 'POST', '/mfa/totp'), 409, 'mfa_already_enrolled');

    const challenged = await api.password(user.email, user.password);
    expect(challenged.status).toBe(200);
    expect(challenged.body.step).toBe('mfa');
    expect(challenged.body.secondFactors).toEqual(expect.arrayContaining(['totp', 'recovery-code']));
    expect(challenged.body.methods).toEqual(expect.arrayContaining(['totp', 'recovery-code']));
    expect(challenged.body.session).toBeUndefined();
    expectProblem(await api.submit(challenged.body.id, { method: 'password', identifier: user.email, password: user.password }), 409, 'invalid_flow_step');

    const code = secret(await app.next());
    const done = await api.submit(challenged.body.id, { method: 'totp', code });
    expect(done.status).toBe(200);
    expect(done.body.step).toBe('complete');
    const session = (await api.me(secret(done.body.session!.token))).body.session;
    expect(session.acr).toBe(ACR_MFA);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'otp']));

    const again = await api.password(user.email, user.password);
    expect(again.body.step).toBe('mfa');
    expectProblem(await api.submit(again.body.id, { method: 'totp', code }), 401, 'invalid_code');
    expect((await api.getFlow(again.body.id)).body.step).toBe('mfa');
  });

  it('accepts each recovery code once in place of the authenticator app', async () => {
    const user = await newUser('recovery');
    const passwordOnly = secret((await api.signIn(user.email, user.password)).token);
    const { recoveryCodes } = await api.enrolTotp(user.token);
    recoveryCodes.forEach(secret);
    expect(new Set(recoveryCodes).size).toBe(10);

    const first = await api.password(user.email, user.password);
    expect(first.body.step).toBe('mfa');
    const done = await api.submit(first.body.id, { method: 'recovery-code', code: recoveryCodes[0] });
    expect(done.status).toBe(200);
    expect(done.body.step).toBe('complete');
    const token = secret(done.body.session!.token);
    expect((await api.me(token)).body).toEqual(expect.objectContaining({ mfa: { totp: true, recoveryCodesLeft: 9 }, session: expect.objectContaining({ acr: ACR_MFA }) }));

    const second = await api.password(user.email, user.password);
    expectProblem(await api.submit(second.body.id, { method: 'recovery-code', code: recoveryCodes[0] }), 401, 'invalid_code');

    // New codes replace the old ones; only a session that proved a second factor may ask.
    expectProblem(await api.me(passwordOnly, 'POST', '/mfa/recovery-codes'), 401, 'session_required');
    const renewed = await api.me<{ recoveryCodes: string[] }>(token, 'POST', '/mfa/recovery-codes');
    expect(renewed.status).toBe(200);
    expect(renewed.body.recoveryCodes).toHaveLength(10);
    renewed.body.recoveryCodes.forEach(secret);
    expect(renewed.body.recoveryCodes).not.toContain(recoveryCodes[1]);
    const old = await api.password(user.email, user.password);
    expectProblem(await api.submit(old.body.id, { method: 'recovery-code', code: recoveryCodes[1] }), 401, 'invalid_code');
    expect((await api.submit(old.body.id, { method: 'recovery-code', code: renewed.body.recoveryCodes[0] })).body.step).toBe('complete');

    // Removing the app needs a session that proved a second factor.
    expectProblem(await api.me(passwordOnly, 'DELETE', '/mfa/totp'), 401, 'session_required');
    expect((await api.me(token, 'DELETE', '/mfa/totp')).status).toBe(204);
    expect((await api.me(token)).body.mfa).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await api.signIn(user.email, user.password)).userId).toBe(user.userId);
  });

  it('accepts a security code sent by email as the second factor', async () => {
    const user = await newUser('second');
    await api.enrolTotp(user.token);
    const challenged = await api.password(user.email, user.password);
    expect(challenged.body.step).toBe('mfa');
    expect(challenged.body.secondFactors).toContain('email-code');
    expect(challenged.body.methods).toEqual(expect.arrayContaining(['send-code', 'code']));
    const sent = await api.submit(challenged.body.id, { method: 'send-code' });
    expect(sent.status).toBe(200);
    expect(sent.body.step).toBe('mfa');
    const code = secret(codeOf(await nextMail(world.sink, user.email, SUBJECT.mfaCode)));
    expectProblem(await api.submit(challenged.body.id, { method: 'code', code: otherThan(code) }), 401, 'invalid_code');
    const done = await api.submit(challenged.body.id, { method: 'code', code });
    expect(done.body.step).toBe('complete');
    const session = (await api.me(secret(done.body.session!.token))).body.session;
    expect(session.acr).toBe(ACR_MFA);
    expect(session.amr).toEqual(expect.arrayContaining(['pwd', 'email']));
  });

  it('has the user set up an authenticator app during sign-in where the tenant requires MFA', async () => {
    const email = freshEmail('strict');
    const password = secret(freshPassword());
    const flow = await strictApi.start('sign-up');
    await strictApi.submit(flow.body.id, { method: 'register', email, password });
    const verified = await strictApi.submit(flow.body.id, { method: 'code', code: secret(codeOf(await nextMail(world.sink, email, SUBJECT.verifyEmail))) });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual(expect.objectContaining({ step: 'mfa-enrol', methods: ['enrol-totp', 'confirm-totp'] }));
    expect(verified.body.session).toBeUndefined();
    expectProblem(await strictApi.submit(flow.body.id, { method: 'confirm-totp', code: '123456' }), 409, 'invalid_flow_step');

    const enrolment = await strictApi.submit(flow.body.id, { method: 'enrol-totp' });
    expect(enrolment.status).toBe(200);
    expect(enrolment.body.totp).toEqual({ secret: expect.stringMatching(/^[A-Z2-7]{32}$/), otpauthUri: expect.stringMatching(/^otpauth:\/\/totp\//), qrCode: expect.stringMatching(/^data:image\/svg\+xml/) });
    const app = new Authenticator(secret(enrolment.body.totp!.secret));
    expectProblem(await strictApi.submit(flow.body.id, { method: 'confirm-totp', code: wrongTotp(app.secret) }), 401, 'invalid_code');
    const done = await strictApi.submit(flow.body.id, { method: 'confirm-totp', code: secret(await app.next()) });
    expect(done.status).toBe(200);
    expect(done.body.step).toBe('complete');
    expect(done.body.recoveryCodes).toHaveLength(10);
    done.body.recoveryCodes!.forEach(secret);
    expect((await strictApi.me(secret(done.body.session!.token))).body).toEqual(expect.objectContaining({ mfa: { totp: true, recoveryCodesLeft: 10 }, session: expect.objectContaining({ acr: ACR_MFA }) }));

    const next = await strictApi.password(email, password);
    expect(next.body).toEqual(expect.objectContaining({ step: 'mfa', secondFactors: ['totp', 'recovery-code'] }));
    expect((await strictApi.submit(next.body.id, { method: 'totp', code: secret(await app.next()) })).body.step).toBe('complete');
  });

  it('signs in with an emailed code where the tenant allows it, and refuses the method where it does not', async () => {
    const user = await newUser('passwordless');
    const flow = await api.start('sign-in');
    const sent = await api.submit(flow.body.id, { method: 'send-code', identifier: user.email });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual(expect.objectContaining({ step: 'email-code', methods: ['code', 'send-code'] }));
    const code = secret(codeOf(await nextMail(world.sink, user.email, SUBJECT.signInCode)));
    expectProblem(await api.submit(flow.body.id, { method: 'code', code: otherThan(code) }), 401, 'invalid_code');
    const done = await api.submit(flow.body.id, { method: 'code', code });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ step: 'complete', userId: user.userId }));
    expect((await api.me(secret(done.body.session!.token))).body.session.amr).toEqual(['email']);

    // An address without an account gets the same answer and no mail; no code opens it.
    const stranger = freshEmail('stranger');
    const probe = await api.start('sign-in');
    const probed = await api.submit(probe.body.id, { method: 'send-code', identifier: stranger });
    expect(probed.status).toBe(sent.status);
    expect(shapeOf(probed.body)).toEqual(shapeOf(sent.body));
    expectProblem(await api.submit(probe.body.id, { method: 'code', code }), 401, 'invalid_code');
    expect(world.sink.messages.filter((m) => m.to.includes(stranger))).toEqual([]);

    const elsewhere = await plainApi.start('sign-in');
    expect(elsewhere.body.methods).toEqual(['password']);
    expectProblem(await plainApi.submit(elsewhere.body.id, { method: 'send-code', identifier: user.email }), 403, 'method_disabled');
  });

  it('changes the password, revoking the other sessions but keeping the current one', async () => {
    const user = await newUser('changer');
    const current = secret((await api.signIn(user.email, user.password)).token);
    const change = (body: Record<string, unknown>) => api.me<{ otherSessionsRevoked: number }>(current, 'POST', '/password', body);

    expectProblem(await change({ currentPassword: secret(freshPassword()), newPassword: secret(freshPassword()) }), 401, 'invalid_credentials');
    const reused = expectProblem(await change({ currentPassword: user.password, newPassword: user.password }), 400, 'password_rejected');
    expect(reused.errors).toEqual([{ field: 'newPassword', message: 'password_reused' }]);

    const newPassword = secret(freshPassword());
    const changed = await change({ currentPassword: user.password, newPassword, signOutOtherSessions: true });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ otherSessionsRevoked: 1 });
    expectProblem(await api.me(user.token), 401, 'session_required');
    expect((await api.me(current)).status).toBe(200);
    expectProblem(await api.password(user.email, user.password), 401, 'invalid_credentials');
    expect((await api.signIn(user.email, newPassword)).userId).toBe(user.userId);
    await nextMail(world.sink, user.email, SUBJECT.passwordChanged);
  });

  it('changes the email only with the code mailed to the new address', async () => {
    const user = await newUser('mover');
    const newEmail = freshEmail('moved');
    const started = await api.me<{ status: string }>(user.token, 'POST', '/email', { email: newEmail });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ status: 'code_sent' });
    const code = secret(codeOf(await nextMail(world.sink, newEmail, SUBJECT.emailChange)));
    expect(mailsTo(world.sink, user.email, SUBJECT.emailChange)).toEqual([]);

    expectProblem(await api.me(user.token, 'POST', '/email/verify', { code: otherThan(code) }), 401, 'invalid_code');
    expect((await api.me(user.token)).body.profile.email).toBe(user.email);

    const verified = await api.me<{ email: string; emailVerified: boolean }>(user.token, 'POST', '/email/verify', { code });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ email: newEmail, emailVerified: true });
    expect((await api.me(user.token)).body.profile).toEqual(expect.objectContaining({ email: newEmail, emailVerified: true }));
    expect((await api.signIn(newEmail, user.password)).userId).toBe(user.userId);
    expectProblem(await api.password(user.email, user.password), 401, 'invalid_credentials');
    expectProblem(await api.me(user.token, 'POST', '/email/verify', { code }), 401, 'invalid_code');
  });

  it('rejects passwords the policy refuses, naming each rule, and registers nobody', async () => {
    const email = freshEmail('margaret');
    const local = email.split('@')[0];
    const flow = await api.start('sign-up');
    const register = (password: string) => api.submit(flow.body.id, { method: 'register', email, password: secret(password) });

    const short = expectProblem(await register('Short-pw-1'), 400, 'password_rejected');
    expect(short.errors).toEqual([{ field: 'password', message: 'password_too_short' }]);
    const common = expectProblem(await register('passwordpassword'), 400, 'password_rejected');
    expect(common.errors).toEqual([{ field: 'password', message: 'password_common' }]);
    const personal = expectProblem(await register(`${local.toUpperCase()}-garden-42`), 400, 'password_rejected');
    expect(personal.errors).toEqual([{ field: 'password', message: 'password_contains_identifier' }]);

    expect((await api.getFlow(flow.body.id)).body.step).toBe('credentials');
    expect(world.sink.messages.filter((m) => m.to.includes(email))).toEqual([]);
    expectProblem(await api.password(email, 'Short-pw-1'), 401, 'invalid_credentials');
  });

  it("takes the profile schema's registration attributes at sign-up, and no others", async () => {
    const schema = await world.call('PUT', '/v1/profile-schema', {
      key: plain.key,
      json: {
        attributes: [
          { name: 'plan', type: 'enum', allowedValues: ['free', 'gold'], registration: true, userEditable: true },
          { name: 'tier', type: 'string' },
        ],
      },
    });
    expect(schema.status).toBe(200);
    const email = freshEmail('registrant');
    const password = secret(freshPassword());
    const refused = await plainApi.submit((await plainApi.start('sign-up')).body.id, { method: 'register', email, password, attributes: { tier: 'vip' } });
    expect(expectProblem(refused, 400, 'validation_failed').errors).toEqual([{ field: 'attributes.tier', message: 'may not be set here' }]);
    const invalid = await plainApi.submit((await plainApi.start('sign-up')).body.id, { method: 'register', email, password, attributes: { plan: 'platinum' } });
    expectProblem(invalid, 400, 'validation_failed');

    const user = await plainApi.signUp(email, password, { givenName: 'Reg', attributes: { plan: 'gold' } });
    secrets.push(user.token);
    expect((await plainApi.me(user.token)).body.profile).toEqual(expect.objectContaining({ email, givenName: 'Reg', attributes: { plan: 'gold' } }));
    // Self-service may change what the schema marks user-editable, nothing else.
    expect((await plainApi.me(user.token, 'PATCH', '', { attributes: { plan: 'free' } })).status).toBe(200);
    expectProblem(await plainApi.me(user.token, 'PATCH', '', { attributes: { tier: 'vip' } }), 400, 'validation_failed');
  });

  it('signs in a user created through the management API once authn has learned of them', async () => {
    const email = freshEmail('imported');
    const password = secret(freshPassword());
    const created = await world.call<{ id: string }>('POST', '/v1/users', { key: plain.key, json: { email, password, emailVerified: true } });
    expect(created.status).toBe(201);
    // authn learns of users from directory events: the lockout view knows the user once it has.
    await waitFor(async () => (await world.call('GET', `/v1/lockouts/${created.body.id}`, { key: plain.key })).status === 200, 30_000, 200, 'authn to know the user');
    const session = await waitFor(
      async () => {
        const res = await plainApi.password(email, password);
        if (res.status === 429) await new Promise((r) => setTimeout(r, (res.body as unknown as { retryAfter: number }).retryAfter * 1000));
        return res.body.step === 'complete' ? res.body : undefined;
      },
      30_000,
      300,
      'the password to arrive',
    );
    expect(session.userId).toBe(created.body.id);
    secret(session.session!.token);
  });

  it('does not let whoever registered an address sign in with it before the address is proven (pre-hijacking)', async () => {
    const email = freshEmail('victim');
    const attackerPassword = secret(freshPassword());
    const flow = await api.start('sign-up');
    expect((await api.submit(flow.body.id, { method: 'register', email, password: attackerPassword })).body.step).toBe('verify-email');
    // The attacker never sees the code; signing in with the password they chose leads to the same wall.
    const attempt = await api.password(email, attackerPassword);
    expect(attempt.status).toBe(200);
    expect(attempt.body.step).toBe('verify-email');
    expect(attempt.body.session).toBeUndefined();

    // The real owner resets the password through the mailed link, which also proves the address.
    const seen = mailsTo(world.sink, email, SUBJECT.resetPassword).length;
    expect((await world.call('POST', `${acme.path}/v1/recovery`, { json: { email } })).status).toBe(202);
    const token = secret(resetTokenOf(await nextMail(world.sink, email, SUBJECT.resetPassword, seen)));
    const ownerPassword = secret(freshPassword());
    expect((await world.call('POST', `${acme.path}/v1/recovery/reset`, { json: { token, password: ownerPassword } })).status).toBe(204);
    expectProblem(await api.password(email, attackerPassword), 401, 'invalid_credentials');
    const owner = await api.signIn(email, ownerPassword);
    expect((await api.me(owner.token)).body.profile).toEqual(expect.objectContaining({ email, emailVerified: true }));
  });

  it('steps a password-only session up to MFA with a step-up flow that only that session can finish', async () => {
    const user = await newUser('stepper');
    const second = await api.signIn(user.email, user.password);
    secrets.push(second.token);
    // Enrolling through /v1/me proves the factor on that session only.
    const { app } = await api.enrolTotp(second.token);
    expect((await api.me(second.token)).body.session.acr).toBe(ACR_MFA);
    expect((await api.me(user.token)).body.session.acr).toBe(ACR_PASSWORD);

    expectProblem(await world.call('POST', `${acme.path}/v1/flows/step-up`, { json: {} }), 401, 'session_required');
    const up = await world.call<FlowView>('POST', `${acme.path}/v1/flows/step-up`, { json: {}, key: user.token });
    expect(up.status).toBe(201);
    expect(up.body).toEqual(expect.objectContaining({ kind: 'step-up', step: 'mfa', methods: expect.arrayContaining(['totp']) }));
    // The flow belongs to the session that started it.
    expectProblem(await api.submit(up.body.id, { method: 'totp', code: wrongTotp(app.secret) }, second.token), 401, 'session_required');
    expectProblem(await api.submit(up.body.id, { method: 'totp', code: wrongTotp(app.secret) }), 401, 'session_required');

    const done = await api.submit(up.body.id, { method: 'totp', code: await app.next() }, user.token);
    expect(done.status).toBe(200);
    expect(done.body.step).toBe('complete');
    expect(done.body.session).toBeUndefined();
    expect((await api.me(user.token)).body.session).toEqual(expect.objectContaining({ id: user.sessionId, acr: ACR_MFA, amr: expect.arrayContaining(['pwd', 'otp']) }));
  });

  it('records authn events in the audit log, none carrying a password, code or token', async () => {
    const user = await newUser('audited');
    const { app, recoveryCodes } = await api.enrolTotp(user.token);
    [app.secret, app.last(), ...recoveryCodes].forEach(secret);
    const newPassword = secret(freshPassword());
    expect((await api.me(user.token, 'POST', '/password', { currentPassword: user.password, newPassword })).status).toBe(200);
    for (let i = 0; i < 3; i++) expectProblem(await api.password(user.email, secret(freshPassword())), 401, 'invalid_credentials');

    const wanted = ['authn.signed-up', 'authn.signed-in', 'authn.sign-in-failed', 'authn.locked-out', 'authn.password-changed', 'authn.mfa-enrolled'];
    const mine = await waitFor(
      async () => {
        const events = (await api.auditEvents()).filter((e) => e.subject === user.userId);
        return wanted.every((t) => events.some((e) => e.type === t)) ? events : undefined;
      },
      30_000,
      250,
      `${wanted.join(', ')} in the audit log`,
    );
    expect(mine.every((e) => e.tenantId === acme.id)).toBe(true);
    expect(mine.filter((e) => e.type === 'authn.sign-in-failed')).toHaveLength(3);
    expect(mine.find((e) => e.type === 'authn.password-changed')!.data).toEqual(expect.objectContaining({ userId: user.userId, via: 'change' }));

    // Everything the tests of this file typed or received, against everything authn told the audit log.
    const all = JSON.stringify(await api.auditEvents());
    const leaked = secrets.filter((s) => all.includes(s));
    expect(leaked).toEqual([]);
    expect(all).not.toMatch(/kls_/);
  });
});
