import { randomBytes } from 'node:crypto';
import {
  type AuthnTenant,
  type AuthnWorld,
  AuthnApi,
  Authenticator,
  Browser,
  type HtmlRes,
  SUBJECT,
  alertOf,
  codeOf,
  decodeHtml,
  freshEmail,
  freshPassword,
  mailsTo,
  nextMail,
  resetTokenOf,
  authnTenants,
  startAuthnWorld,
  textOf,
  wrongTotp,
} from './support/authn';

/** The page with the parts that differ by what was typed (the address) put back to one placeholder. */
const withoutEmail = (res: HtmlRes, email: string) => res.html.split(email).join('EMAIL');

/**
 * The hosted sign-in pages of a tenant issuer (`/t/{slug}/...`) through the gateway, driven like a
 * browser without JavaScript: forms posted url-encoded, cookies kept, redirects looked at. Mail goes to a
 * real SMTP server.
 */
describe('authn: the hosted pages through the gateway', () => {
  let world: AuthnWorld;
  /** See `authnTenants`. */
  let acme: AuthnTenant;
  let plain: AuthnTenant;
  let strict: AuthnTenant;
  let api: AuthnApi;

  beforeAll(async () => {
    world = await startAuthnWorld('e2e_authn_hosted');
    ({ acme, plain, strict } = await authnTenants(world));
    api = new AuthnApi(world.call, acme, world.sink);
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  const browser = (tenant = acme) => new Browser(world.platform.gateway, tenant);

  /** A user signed up through the API (their first session is a token, not a cookie). */
  const newUser = async (who = 'user') => {
    const email = freshEmail(who);
    const password = freshPassword();
    return { email, password, ...(await api.signUp(email, password)) };
  };

  /** A browser that has shown the sign-in page and posted this email and password. */
  const signIn = async (email: string, password: string, b = browser()) => {
    expect((await b.get('/sign-in')).status).toBe(200);
    return { b, res: await b.post('/sign-in', { email, password }) };
  };

  it('serves the sign-in page with its cookies scoped to the issuer and a strict content security policy', async () => {
    const b = browser();
    const page = await b.get('/sign-in');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).toMatch(/<label for="kl-email">Email<\/label>/);
    expect(page.html).toMatch(/<label for="kl-password">Password<\/label>/);
    expect(page.html).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(page.html).not.toMatch(/<script/i);
    for (const name of ['kl_csrf', 'kl_flow']) {
      const c = page.setCookies.find((s) => s.name === name);
      expect(c?.attrs).toMatch(new RegExp(`Path=${acme.path}(;|$)`));
      expect(c?.attrs).toMatch(/HttpOnly/);
      expect(c?.attrs).toMatch(/SameSite=Lax/i);
    }
    expect(b.csrf).toBe(b.cookies.get('kl_csrf'));
  });

  it('signs up with the form, confirms the emailed code and lands signed in on the account page', async () => {
    const b = browser();
    const email = freshEmail('ada');
    expect((await b.get('/sign-up')).status).toBe(200);
    const registered = await b.post('/sign-up', { email, password: freshPassword(), givenName: 'Ada', familyName: 'Lovelace <b onclick="x">' });
    expect(registered.status).toBe(303);
    expect(registered.location).toBe(`${acme.path}/verify-email`);
    const verify = await b.follow(registered);
    expect(verify.status).toBe(200);
    expect(textOf(verify.html)).toContain(email);

    const code = codeOf(await nextMail(world.sink, email, SUBJECT.verifyEmail));
    const wrong = await b.post('/verify-email', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(alertOf(wrong.html)).toBe('That code is not correct.');
    expect(b.cookies.has('kl_session')).toBe(false);

    const done = await b.post('/verify-email', { code });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${acme.path}/account`);
    expect(done.setCookies.find((c) => c.name === 'kl_session')?.attrs).toMatch(new RegExp(`Path=${acme.path}.*HttpOnly|HttpOnly.*Path=${acme.path}`));
    expect(b.cookies.get('kl_session')).toMatch(/^kls_/);
    expect(b.cookies.has('kl_flow')).toBe(false);
    const account = await b.follow(done);
    expect(account.status).toBe(200);
    expect(textOf(account.html)).toContain(`Name Ada Lovelace <b onclick="x"> Email ${email} verified`);
    expect(account.html).toContain('Lovelace &lt;b onclick=&quot;x&quot;&gt;');
  });

  it('answers a sign-up for a registered address like a new one and sends that address no code', async () => {
    const owner = await newUser('owner');
    const codesBefore = mailsTo(world.sink, owner.email, SUBJECT.verifyEmail).length;
    const newcomer = browser();
    await newcomer.get('/sign-up');
    const forNew = await newcomer.post('/sign-up', { email: freshEmail('newcomer'), password: freshPassword() });
    const intruder = browser();
    await intruder.get('/sign-up');
    const forTaken = await intruder.post('/sign-up', { email: owner.email, password: freshPassword() });
    expect({ status: forTaken.status, location: forTaken.location }).toEqual({ status: forNew.status, location: forNew.location });
    expect(forTaken.location).toBe(`${acme.path}/verify-email`);
    const page = await intruder.follow(forTaken);
    expect(page.status).toBe(200);
    await nextMail(world.sink, owner.email, SUBJECT.resetPassword);
    expect(mailsTo(world.sink, owner.email, SUBJECT.verifyEmail)).toHaveLength(codesBefore);
    const guess = await intruder.post('/verify-email', { code: '123456' });
    expect(guess.status).toBe(401);
    expect(intruder.cookies.has('kl_session')).toBe(false);
  });

  it('signs in with the form and out again, ending the session', async () => {
    const user = await newUser('grace');
    const { b, res } = await signIn(user.email, user.password);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${acme.path}/account`);
    const token = b.cookies.get('kl_session')!;
    expect(token).toMatch(/^kls_/);
    expect(textOf((await b.get('/account')).html)).toContain(user.email);
    expect((await api.me(token)).body.profile.email).toBe(user.email);
    // Signed in already: the sign-in page sends the browser on.
    expect((await b.get('/sign-in')).location).toBe(`${acme.path}/account`);

    const out = await b.post('/sign-out', {});
    expect(out.status).toBe(200);
    expect(textOf(out.html)).toContain('You are signed out');
    expect(b.cookies.has('kl_session')).toBe(false);
    expect((await api.me(token)).status).toBe(401);
    b.cookies.set('kl_session', token);
    const after = await b.get('/account');
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${acme.path}/sign-in?return_to=${encodeURIComponent(`${acme.path}/account`)}`);
  });

  it('keeps a session past the browser only when asked, and continues only to paths of the platform', async () => {
    const user = await newUser('remember');
    const { res: brief } = await signIn(user.email, user.password);
    expect(brief.setCookies.find((c) => c.name === 'kl_session')?.attrs).not.toMatch(/Max-Age|Expires/i);
    const kept = browser();
    await kept.get('/sign-in');
    const remembered = await kept.post('/sign-in', { email: user.email, password: user.password, remember: 'on' });
    expect(remembered.status).toBe(303);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(remembered.setCookies.find((c) => c.name === 'kl_session')!.attrs)?.[1]);
    expect(maxAge).toBeGreaterThan(29 * 86_400);
    expect(maxAge).toBeLessThanOrEqual(30 * 86_400);

    for (const target of ['https://attacker.example/phish', '//attacker.example/phish', '/\\attacker.example']) {
      const b = browser();
      expect((await b.get(`/sign-in?return_to=${encodeURIComponent(target)}`)).status).toBe(200);
      const res = await b.post(`/sign-in?return_to=${encodeURIComponent(target)}`, { email: user.email, password: user.password });
      expect(res.status).toBe(303);
      expect(res.location).toBe(`${acme.path}/account`);
    }
    const b = browser();
    await b.get(`/sign-in?return_to=${encodeURIComponent('/app/welcome?x=1')}`);
    expect((await b.post('/sign-in', { email: user.email, password: user.password })).location).toBe('/app/welcome?x=1');
  });

  it('answers a wrong password and an unknown address with the same page and status', async () => {
    const user = await newUser('alan');
    const b = browser();
    await b.get('/sign-in');
    const stranger = freshEmail('nobody');
    const wrong = await b.post('/sign-in', { email: user.email, password: freshPassword() });
    const unknown = await b.post('/sign-in', { email: stranger, password: freshPassword() });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(alertOf(wrong.html)).toBe('Incorrect email or password.');
    expect(withoutEmail(unknown, stranger)).toBe(withoutEmail(wrong, user.email));
    expect(b.cookies.has('kl_session')).toBe(false);
  });

  it('refuses forms without the right CSRF token or from another origin with 403, and does nothing', async () => {
    const user = await newUser('csrf');
    const b = browser();
    await b.get('/sign-in');
    const attempts = [
      await b.post('/sign-in', { email: user.email, password: user.password }, { csrf: false }),
      await b.post('/sign-in', { email: user.email, password: user.password }, { csrf: randomBytes(24).toString('base64url') }),
      await b.post('/sign-in', { email: user.email, password: user.password }, { headers: { origin: 'https://attacker.example' } }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(alertOf(res.html)).toBe('This form has expired. Please try again.');
    }
    expect(b.cookies.has('kl_session')).toBe(false);
    const forgot = browser();
    await forgot.get('/forgot-password');
    expect((await forgot.post('/forgot-password', { email: user.email }, { csrf: false })).status).toBe(403);

    // Nothing counted either: with three failures the account would be locked now.
    const ok = await b.post('/sign-in', { email: user.email, password: user.password });
    expect(ok.status).toBe(303);
    const signOut = await b.post('/sign-out', {}, { csrf: false });
    expect(signOut.status).toBe(403);
    expect((await api.me(b.cookies.get('kl_session'))).status).toBe(200);
    expect(mailsTo(world.sink, user.email, SUBJECT.resetPassword)).toEqual([]);
  });

  it('locks a real and an unknown address alike after 3 failed sign-ins, and an admin releases the real one', async () => {
    const user = await newUser('locked');
    const stranger = freshEmail('stranger');
    const b = browser();
    await b.get('/sign-in');
    for (let i = 0; i < 3; i++) {
      const real = await b.post('/sign-in', { email: user.email, password: freshPassword() });
      const fake = await b.post('/sign-in', { email: stranger, password: freshPassword() });
      expect([real.status, fake.status]).toEqual([401, 401]);
      expect(withoutEmail(fake, stranger)).toBe(withoutEmail(real, user.email));
    }
    const real = await b.post('/sign-in', { email: user.email, password: user.password });
    const fake = await b.post('/sign-in', { email: stranger, password: freshPassword() });
    expect([real.status, fake.status]).toEqual([429, 429]);
    expect(alertOf(real.html)).toMatch(/^Too many attempts\. Please try again in (5\d|60) seconds\.$/);
    const seconds = /\d+ seconds/g;
    expect(withoutEmail(fake, stranger).replace(seconds, 'N seconds')).toBe(withoutEmail(real, user.email).replace(seconds, 'N seconds'));
    expect(b.cookies.has('kl_session')).toBe(false);

    expect((await world.call('DELETE', `/v1/lockouts/${user.userId}`, { key: acme.key })).status).toBe(204);
    const released = await b.post('/sign-in', { email: user.email, password: user.password });
    expect(released.status).toBe(303);
    expect(released.location).toBe(`${acme.path}/account`);
    expect((await b.post('/sign-in', { email: stranger, password: freshPassword() })).status).toBe(429);
  });

  it('answers a reset request alike for any address, mails a link only to a real one, and the link works once and signs out everywhere', async () => {
    const user = await newUser('forgetful');
    const { b: signedIn } = await signIn(user.email, user.password);
    expect(signedIn.cookies.has('kl_session')).toBe(true);

    const b = browser();
    expect((await b.get('/forgot-password')).status).toBe(200);
    const stranger = freshEmail('stranger');
    const forUnknown = await b.post('/forgot-password', { email: stranger });
    const forKnown = await b.post('/forgot-password', { email: user.email });
    expect([forUnknown.status, forKnown.status]).toEqual([200, 200]);
    expect(textOf(forKnown.html)).toContain(`If an account exists for ${user.email}, we sent a link to reset the password.`);
    expect(withoutEmail(forUnknown, stranger)).toBe(withoutEmail(forKnown, user.email));
    const mail = await nextMail(world.sink, user.email, SUBJECT.resetPassword);
    expect(world.sink.messages.filter((m) => m.to.includes(stranger))).toEqual([]);
    const token = resetTokenOf(mail);
    const link = new URL(/https?:\/\/\S+\/reset-password\?token=\S+/.exec(mail.text)![0]);
    expect(link.pathname).toBe(`${acme.path}/reset-password`);

    const bogus = await b.get(`/reset-password?token=${randomBytes(32).toString('base64url')}`);
    expect(bogus.status).toBe(400);
    expect(alertOf(bogus.html)).toBe('This link is invalid or has expired.');
    const form = await b.get(`/reset-password?token=${encodeURIComponent(token)}`);
    expect(form.status).toBe(200);
    // The token is in this page's URL: it must not leave through Referer.
    expect(form.headers.get('referrer-policy')).toBe('no-referrer');
    expect(form.html).toMatch(/<input[^>]*type="checkbox"[^>]*name="signOutEverywhere"[^>]*checked/);
    expect(decodeHtml(form.html)).toContain(`value="${token}"`);

    const newPassword = freshPassword();
    const done = await b.post('/reset-password', { token, password: newPassword, signOutEverywhere: 'on' });
    expect(done.status).toBe(200);
    expect(textOf(done.html)).toContain('Your password has been reset.');
    expect((await api.me(user.token)).status).toBe(401);
    expect((await signedIn.get('/account')).location).toMatch(new RegExp(`^${acme.path}/sign-in\\?`));

    const again = await b.post('/reset-password', { token, password: freshPassword(), signOutEverywhere: 'on' });
    expect(again.status).toBe(400);
    expect(alertOf(again.html)).toBe('This link is invalid or has expired.');
    expect((await signIn(user.email, user.password)).res.status).toBe(401);
    expect((await signIn(user.email, newPassword)).res.status).toBe(303);
  });

  it('enrols an authenticator app on the account pages, then asks for it at sign-in, accepting a fresh code once', async () => {
    const user = await newUser('totp');
    const { b } = await signIn(user.email, user.password);
    const enrol = await b.get('/mfa/enrol');
    expect(enrol.status).toBe(200);
    expect(enrol.html).toMatch(/<img[^>]*src="data:image\/svg\+xml/);
    const secret = /<code class="kl-secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.html)![1].replace(/ /g, '');
    const app = new Authenticator(secret);
    const codes = await b.post('/mfa/enrol', { code: await app.next() });
    expect(codes.status).toBe(200);
    const recoveryCodes = [...codes.html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(recoveryCodes).toHaveLength(10);
    expect(textOf((await b.get('/account')).html)).toContain('Authenticator app: on 10 recovery codes left');

    const first = await signIn(user.email, user.password);
    expect(first.res.status).toBe(303);
    expect(first.res.location).toBe(`${acme.path}/mfa`);
    expect(first.b.cookies.has('kl_session')).toBe(false);
    const challenge = await first.b.follow(first.res);
    expect(challenge.status).toBe(200);
    expect(challenge.html).toMatch(/<label for="kl-code">Authentication code<\/label>/);
    const code = await app.next();
    const done = await first.b.post('/mfa', { method: 'totp', code });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${acme.path}/account`);
    expect((await api.me(first.b.cookies.get('kl_session'))).body.session.acr).toBe('urn:keyline:acr:mfa');

    const replay = await signIn(user.email, user.password);
    await replay.b.follow(replay.res);
    const refused = await replay.b.post('/mfa', { method: 'totp', code });
    expect(refused.status).toBe(401);
    expect(alertOf(refused.html)).toBe('That code is not correct.');
    expect(replay.b.cookies.has('kl_session')).toBe(false);

    // A recovery code instead, in the same flow: once.
    const rescued = await replay.b.post('/mfa', { method: 'recovery-code', code: recoveryCodes[0] });
    expect(rescued.status).toBe(303);
    expect(replay.b.cookies.get('kl_session')).toMatch(/^kls_/);
    const reused = await signIn(user.email, user.password);
    await reused.b.follow(reused.res);
    const spent = await reused.b.post('/mfa', { method: 'recovery-code', code: recoveryCodes[0] });
    expect(spent.status).toBe(401);
    expect(reused.b.cookies.has('kl_session')).toBe(false);
    expect(textOf((await replay.b.get('/account')).html)).toContain('9 recovery codes left');
  });

  it('mails a security code at the MFA step on request and shows where to enter it', async () => {
    const user = await newUser('second');
    await api.enrolTotp(user.token);
    const { b, res } = await signIn(user.email, user.password);
    expect(res.location).toBe(`${acme.path}/mfa`);
    const offer = await b.get('/mfa?method=email-code');
    expect(offer.status).toBe(200);
    expect(offer.html).toMatch(/<button type="submit"[^>]*>Send code<\/button>/);

    const sent = await b.post('/mfa', { method: 'email-code', send: '1' });
    const code = codeOf(await nextMail(world.sink, user.email, SUBJECT.mfaCode));
    // The browser lands on the form for the code just mailed, not on the authenticator app's.
    const shown = sent.status === 303 ? await b.follow(sent) : sent;
    expect(shown.status).toBe(200);
    expect(textOf(shown.html)).toContain('We sent a code to');
    expect(shown.html).toMatch(/<input[^>]*name="method"[^>]*value="email-code"/);

    const done = await b.post('/mfa', { method: 'email-code', code });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${acme.path}/account`);
    expect((await api.me(b.cookies.get('kl_session'))).body.session.amr).toEqual(expect.arrayContaining(['pwd', 'email']));
  });

  it('has a new user set up an authenticator app right after sign-up where the tenant requires MFA, and keeps the scanned key after a mistyped code', async () => {
    const b = browser(strict);
    const email = freshEmail('strict');
    await b.get('/sign-up');
    const registered = await b.post('/sign-up', { email, password: freshPassword() });
    expect(registered.location).toBe(`${strict.path}/verify-email`);
    const verified = await b.post('/verify-email', { code: codeOf(await nextMail(world.sink, email, SUBJECT.verifyEmail)) });
    expect(verified.status).toBe(303);
    expect(verified.location).toBe(`${strict.path}/mfa/enrol`);
    expect(b.cookies.has('kl_session')).toBe(false);

    const enrol = await b.follow(verified);
    expect(enrol.status).toBe(200);
    expect(enrol.html).not.toContain('Skip for now');
    const scanned = /<code class="kl-secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.html)![1].replace(/ /g, '');
    const app = new Authenticator(scanned);
    const typo = await b.post('/mfa/enrol', { code: wrongTotp(scanned) });
    expect(typo.status).toBe(401);
    expect(alertOf(typo.html)).toBe('That code is not correct.');
    expect(b.cookies.has('kl_session')).toBe(false);

    // The app holds the key scanned first; its next code must still do.
    const done = await b.post('/mfa/enrol', { code: await app.next() });
    expect(done.status).toBe(200);
    expect([...done.html.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)]).toHaveLength(10);
    expect(b.cookies.get('kl_session')).toMatch(/^kls_/);
    expect((await api.me(b.cookies.get('kl_session'))).body.mfa).toEqual({ totp: true, recoveryCodesLeft: 10 });
  });

  it('signs in with an emailed code where the tenant allows it, and offers no such page where not', async () => {
    const user = await newUser('passwordless');
    const b = browser();
    const signInPage = await b.get('/sign-in');
    expect(textOf(signInPage.html)).toContain('Email me a sign-in code');
    expect((await b.get('/sign-in/code')).status).toBe(200);
    const sent = await b.post('/sign-in/code', { email: user.email });
    expect(sent.status).toBe(200);
    expect(textOf(sent.html)).toContain(`We sent a code to ${user.email}.`);
    const code = codeOf(await nextMail(world.sink, user.email, SUBJECT.signInCode));
    const done = await b.post('/sign-in/code/verify', { code });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${acme.path}/account`);
    expect((await api.me(b.cookies.get('kl_session'))).body.session.amr).toEqual(['email']);

    const stranger = freshEmail('stranger');
    const probe = browser();
    await probe.get('/sign-in/code');
    const probed = await probe.post('/sign-in/code', { email: stranger });
    expect(probed.status).toBe(sent.status);
    expect(textOf(probed.html).replace(stranger, 'EMAIL')).toBe(textOf(sent.html).replace(user.email, 'EMAIL'));
    expect((await probe.post('/sign-in/code/verify', { code })).status).toBe(401);

    const elsewhere = browser(plain);
    expect(textOf((await elsewhere.get('/sign-in')).html)).not.toContain('Email me a sign-in code');
    expect((await elsewhere.get('/sign-in/code')).status).toBe(404);
  });

  it('changes the password on the account page, signing out the other sessions but not this one', async () => {
    const user = await newUser('changer');
    const { b } = await signIn(user.email, user.password);
    expect((await b.get('/account/password')).status).toBe(200);
    const wrong = await b.post('/account/password', { currentPassword: freshPassword(), newPassword: freshPassword(), signOutOthers: 'on' });
    expect(wrong.status).toBe(401);
    const reused = await b.post('/account/password', { currentPassword: user.password, newPassword: user.password, signOutOthers: 'on' });
    expect(reused.status).toBe(400);
    expect(textOf(reused.html)).toContain('Choose a password you have not used before.');

    const newPassword = freshPassword();
    const changed = await b.post('/account/password', { currentPassword: user.password, newPassword, signOutOthers: 'on' });
    expect(changed.status).toBe(200);
    expect(textOf(changed.html)).toContain('Your password has been changed.');
    expect((await api.me(user.token)).status).toBe(401);
    expect((await b.get('/account')).status).toBe(200);
    expect((await signIn(user.email, user.password)).res.status).toBe(401);
    expect((await signIn(user.email, newPassword)).res.status).toBe(303);
  });

  it('refuses sign-up passwords the policy rejects, saying why, and registers nobody', async () => {
    const b = browser();
    await b.get('/sign-up');
    const email = freshEmail('margaret');
    const short = await b.post('/sign-up', { email, password: 'Short-pw-1' });
    expect(short.status).toBe(400);
    expect(alertOf(short.html)).toBe('Use at least 12 characters.');
    expect(decodeHtml(short.html)).toContain(`value="${email}"`);
    expect(short.html).not.toContain('Short-pw-1');
    const common = await b.post('/sign-up', { email, password: 'passwordpassword' });
    expect(common.status).toBe(400);
    expect(alertOf(common.html)).toBe('This password is too common. Choose one that is harder to guess.');
    expect(b.cookies.has('kl_session')).toBe(false);
    expect(world.sink.messages.filter((m) => m.to.includes(email))).toEqual([]);
  });
});
