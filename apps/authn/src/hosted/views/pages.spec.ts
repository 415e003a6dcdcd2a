import { Dom, type El, pageContext, text } from './html.testing';
import type { Locale } from './i18n';
import type { PageContext } from './layout';
import {
  type RegistrationField,
  accountPage,
  changePasswordPage,
  emailCodePage,
  emailCodeRequestPage,
  forgotPasswordPage,
  messagePage,
  mfaChallengePage,
  mfaEnrolPage,
  recoveryCodesPage,
  resetPasswordPage,
  signInPage,
  signUpPage,
  verifyEmailPage,
} from './pages';

const FIELDS: RegistrationField[] = [
  { name: 'givenName', label: 'First name', type: 'string', required: true, autocomplete: 'given-name' },
  { name: 'familyName', label: 'Last name', type: 'string', required: false, autocomplete: 'family-name' },
  { name: 'age', label: 'Age', type: 'number', required: false },
  { name: 'birthday', label: 'Birthday', type: 'date', required: false, autocomplete: 'bday' },
  { name: 'plan', label: 'Plan', type: 'enum', required: true, options: ['free', 'pro'] },
  { name: 'newsletter', label: 'Send me news', type: 'boolean', required: false },
];
const QR = 'data:image/png;base64,iVBORw0KGgo=';

/** Every page in every state, so that the rules below hold everywhere. */
const PAGES: Record<string, (ctx: PageContext) => string> = {
  'sign-in': (c) => signInPage(c, { passwordless: true, signUp: true, forgotPassword: true }),
  'sign-in with errors': (c) =>
    signInPage(c, { email: 'a@b.test', passwordless: false, signUp: false, errors: [{ code: 'invalid_credentials' }, { field: 'email', code: 'validation_failed' }] }),
  'email code request': (c) => emailCodeRequestPage(c, { errors: [{ field: 'email', code: 'validation_failed' }] }),
  'email code (sign-in)': (c) => emailCodePage(c, { email: 'a@b.test', purpose: 'sign-in', errors: [{ field: 'code', code: 'invalid_code' }] }),
  'email code (mfa)': (c) => emailCodePage(c, { email: 'a@b.test', purpose: 'mfa' }),
  'email code (verify-email)': (c) => emailCodePage(c, { email: 'a@b.test', purpose: 'verify-email' }),
  'sign-up': (c) =>
    signUpPage(c, {
      fields: FIELDS,
      minPasswordLength: 12,
      errors: [
        { field: 'attr.plan', code: 'validation_failed' },
        { field: 'password', code: 'password_common' },
        { field: 'password', code: 'password_too_short' },
      ],
    }),
  'verify email (token)': (c) => verifyEmailPage(c, { token: 'tok', email: 'a@b.test' }),
  'verify email (pending)': (c) => verifyEmailPage(c, { email: 'a@b.test', errors: [{ code: 'invalid_token' }] }),
  'verify email (done)': (c) => verifyEmailPage(c, { done: true }),
  'forgot password': (c) => forgotPasswordPage(c, {}),
  'forgot password (sent)': (c) => forgotPasswordPage(c, { email: 'a@b.test', sent: true }),
  'reset password': (c) => resetPasswordPage(c, { token: 'tok', minPasswordLength: 10, errors: [{ field: 'password', code: 'password_too_short' }] }),
  'reset password (done)': (c) => resetPasswordPage(c, { token: 'tok', minPasswordLength: 10, done: true }),
  'mfa totp': (c) => mfaChallengePage(c, { methods: ['totp', 'recovery-code', 'email-code'], method: 'totp', errors: [{ field: 'code', code: 'invalid_code' }] }),
  'mfa recovery code': (c) => mfaChallengePage(c, { methods: ['totp', 'recovery-code'], method: 'recovery-code' }),
  'mfa email (not sent)': (c) => mfaChallengePage(c, { methods: ['email-code'], method: 'email-code', emailHint: 'a***@b.test' }),
  'mfa email (sent)': (c) => mfaChallengePage(c, { methods: ['email-code', 'totp'], method: 'email-code', emailHint: 'a***@b.test', codeSent: true }),
  'mfa enrol': (c) => mfaEnrolPage(c, { qrDataUri: QR, secret: 'JBSWY3DPEHPK3PXPJBSW', required: false }),
  'recovery codes': (c) => recoveryCodesPage(c, { codes: ['aaaa-bbbb', 'cccc-dddd'], continueUrl: '/t/acme/oauth/continue' }),
  account: (c) => accountPage(c, { email: 'a@b.test', name: 'Ada', emailVerified: true, mfa: { totp: true, recoveryCodesLeft: 1 } }),
  'change password': (c) => changePasswordPage(c, { minPasswordLength: 12, errors: [{ field: 'currentPassword', code: 'invalid_credentials' }] }),
  'change password (done)': (c) => changePasswordPage(c, { minPasswordLength: 12, done: true }),
  message: (c) => messagePage(c, { title: 'message.error.title', body: 'message.error.body', status: 'error', link: { href: '/t/acme/sign-in', label: 'message.link.sign_in' } }),
};

const CASES = Object.keys(PAGES).flatMap((page) => (['en', 'de'] as Locale[]).map((locale) => [page, locale] as const));
const render = (page: string, overrides: Partial<PageContext> = {}) => new Dom(PAGES[page](pageContext(overrides)));
const controls = (dom: Dom) => dom.elements().filter((e) => ['input', 'select', 'textarea'].includes(e.name) && e.attribs.type !== 'hidden');
/** Links that lead somewhere (not the error summary's links to fields). */
const links = (dom: Dom) =>
  Object.fromEntries(dom.find('a', {}, dom.one('main')).filter((a) => !a.attribs.href.startsWith('#')).map((a) => [text(a), a.attribs.href]));
const formOf = (dom: Dom, button: string): El => {
  const form = dom.find('form').find((f) => dom.find('button', {}, f).some((b) => text(b) === button));
  if (!form) throw new Error(`no form with a "${button}" button`);
  return form;
};

describe.each(CASES)('%s (%s)', (page, locale) => {
  const ctx = pageContext({ locale });
  const dom = new Dom(PAGES[page](ctx));

  it('has no script, inline style or event handler, so it works under the strict CSP', () => {
    expect(dom.source).not.toMatch(/<script|<style|\sstyle=|\son\w+=/i);
    for (const e of dom.elements()) expect(Object.keys(e.attribs).filter((a) => /^on|^style$/i.test(a))).toEqual([]);
  });

  it('labels every control, with unique ids, and points aria-describedby at existing elements', () => {
    const ids = dom.elements().map((e) => e.attribs.id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
    for (const control of controls(dom)) {
      expect([control.attribs.name, dom.labelOf(control)]).toEqual([control.attribs.name, expect.stringMatching(/\S/)]);
      for (const id of control.attribs['aria-describedby']?.split(' ') ?? []) expect(dom.byId(id)).toBeDefined();
    }
    expect(dom.find('img').every((img) => img.attribs.alt)).toBe(true);
    expect(dom.elements().filter((e) => 'autofocus' in e.attribs).length).toBeLessThanOrEqual(1);
  });

  it('posts every form with a CSRF token to a page of the tenant, and submits with real buttons', () => {
    for (const form of dom.find('form')) {
      expect(form.attribs.method).toBe('post');
      expect(form.attribs.action).toMatch(/^\/t\/acme\/[a-z/-]+\?return_to=%2Fdone$/);
      expect(dom.hidden(form).csrf).toBe('csrf-token');
      expect(dom.find('button', {}, form).map((b) => b.attribs.type)).toEqual(['submit']);
    }
  });

  it('shows its errors in an alert at the top, linked to the fields they concern, which say so too', () => {
    const alert = dom.find('div', { role: 'alert' })[0];
    const invalid = controls(dom).filter((c) => c.attribs['aria-invalid'] === 'true');
    if (!alert) return expect(invalid).toEqual([]);
    expect(alert.attribs.class).toBe('kl-error');
    expect(text(dom.one('title'))).toMatch(/^(Error|Fehler): /);
    const fieldLinks = dom.find('a', {}, alert);
    expect([...new Set(fieldLinks.map((a) => a.attribs.href))]).toEqual(invalid.map((c) => `#${c.attribs.id}`));
    for (const link of fieldLinks) {
      const control = dom.byId(link.attribs.href.slice(1))!;
      const described = control.attribs['aria-describedby']?.split(' ').map((id) => dom.byId(id)) ?? [];
      const fieldErrors = described.filter((e) => e?.attribs.class === 'kl-field-error');
      expect(fieldErrors).toHaveLength(1);
      expect(text(fieldErrors[0]!)).toContain(text(link));
    }
  });
});

describe('signInPage', () => {
  it('has the labels, autocomplete hints and button the contract names', () => {
    const dom = render('sign-in');
    const email = dom.control('email');
    const password = dom.control('password');
    expect([dom.labelOf(email), email.attribs.type, email.attribs.autocomplete, 'required' in email.attribs]).toEqual(['Email', 'email', 'username', true]);
    expect([dom.labelOf(password), password.attribs.type, password.attribs.autocomplete]).toEqual(['Password', 'password', 'current-password']);
    expect([dom.labelOf(dom.control('remember')), dom.control('remember').attribs.value]).toEqual(['Keep me signed in', 'on']);
    expect(dom.find('button').map(text)).toEqual(['Sign in']);
    expect(formOf(dom, 'Sign in').attribs.action).toBe('/t/acme/sign-in?return_to=%2Fdone');
  });

  it('focuses the email field when it is empty, and the password when the email is known', () => {
    expect('autofocus' in render('sign-in').control('email').attribs).toBe(true);
    const dom = new Dom(signInPage(pageContext(), { email: 'a@b.test', passwordless: false, signUp: false }));
    expect(['autofocus' in dom.control('email').attribs, 'autofocus' in dom.control('password').attribs]).toEqual([false, true]);
    expect(dom.control('email').attribs.value).toBe('a@b.test');
  });

  it('links to the other ways in, keeping the query, and only to those the tenant offers', () => {
    expect(links(render('sign-in'))).toEqual({
      'Forgot password?': '/t/acme/forgot-password?return_to=%2Fdone',
      'Email me a sign-in code': '/t/acme/sign-in/code?return_to=%2Fdone',
      'Create account': '/t/acme/sign-up?return_to=%2Fdone',
    });
    expect(Object.keys(links(render('sign-in with errors')))).toEqual(['Forgot password?']);
  });

  it('speaks German with the German catalogue', () => {
    const dom = render('sign-in', { locale: 'de' });
    expect([dom.labelOf(dom.control('email')), dom.labelOf(dom.control('password'))]).toEqual(['E-Mail', 'Passwort']);
    expect(dom.find('button').map(text)).toEqual(['Anmelden']);
    expect(Object.keys(links(dom))).toEqual(['Passwort vergessen?', 'Anmeldecode per E-Mail senden', 'Konto erstellen']);
  });

  it('marks the invalid field and links the summary to it, leaving credential errors unattached', () => {
    const dom = render('sign-in with errors');
    const email = dom.control('email');
    expect(email.attribs['aria-invalid']).toBe('true');
    expect(text(dom.byId(email.attribs['aria-describedby'])!)).toBe('Please check your input.');
    expect(dom.control('password').attribs['aria-invalid']).toBeUndefined();
    const alert = dom.one('div', { role: 'alert' });
    expect(dom.find('li', {}, alert).map(text)).toEqual(['Incorrect email or password.', 'Please check your input.']);
    expect(dom.children(dom.one('main')).slice(0, 2)).toEqual([dom.one('h1'), alert]);
  });

  it('escapes what users and tenants typed', () => {
    const evil = '"><script>alert(1)</script>';
    const ctx = pageContext({ tenant: { slug: 'acme', name: `<script>x</script>` }, csrf: evil, query: `a=${encodeURIComponent(evil)}` });
    const dom = new Dom(signInPage(ctx, { email: evil, passwordless: true, signUp: true }));
    expect(dom.find('script')).toHaveLength(0);
    expect(dom.source).not.toContain('<script');
    expect(dom.control('email').attribs.value).toBe(evil);
    expect(dom.hidden(dom.one('form')).csrf).toBe(evil);
    expect(text(dom.one('title'))).toBe('Sign in – <script>x</script>');
  });
});

describe('emailCodeRequestPage', () => {
  it('asks for an email address and sends a code', () => {
    const dom = render('email code request');
    expect(dom.control('email').attribs.autocomplete).toBe('email');
    expect(formOf(dom, 'Send code').attribs.action).toBe('/t/acme/sign-in/code?return_to=%2Fdone');
  });
});

describe('emailCodePage', () => {
  it.each([
    ['email code (sign-in)', '/t/acme/sign-in/code/verify', {}],
    ['email code (mfa)', '/t/acme/mfa', { method: 'email-code' }],
    ['email code (verify-email)', '/t/acme/verify-email', {}],
  ])('%s posts the code and the resend request to %s', (page, path, hidden) => {
    const dom = render(page);
    const code = dom.control('code');
    expect(dom.labelOf(code)).toBe('Code');
    expect(code.attribs).toMatchObject({ inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6' });
    expect(dom.source).toContain('We sent a code to a@b.test.');
    const verify = formOf(dom, 'Continue');
    const resend = formOf(dom, 'Send a new code');
    expect([verify.attribs.action, resend.attribs.action]).toEqual([`${path}?return_to=%2Fdone`, `${path}?return_to=%2Fdone`]);
    expect(dom.hidden(verify)).toEqual({ csrf: 'csrf-token', ...hidden });
    expect(dom.hidden(resend)).toEqual({ csrf: 'csrf-token', ...hidden, resend: '1' });
  });
});

describe('signUpPage', () => {
  it('renders email, password and the registration fields under the names the controller reads', () => {
    const dom = render('sign-up');
    const names = controls(dom).map((c) => [c.attribs.name, c.name, c.attribs.type, dom.labelOf(c)]);
    expect(names).toEqual([
      ['email', 'input', 'email', 'Email'],
      ['password', 'input', 'password', 'Password'],
      ['givenName', 'input', 'text', 'First name'],
      ['familyName', 'input', 'text', 'Last name (optional)'],
      ['attr.age', 'input', 'number', 'Age (optional)'],
      ['attr.birthday', 'input', 'date', 'Birthday (optional)'],
      ['attr.plan', 'select', undefined, 'Plan'],
      ['attr.newsletter', 'input', 'checkbox', 'Send me news'],
    ]);
    expect(controls(dom).map((c) => c.attribs.autocomplete)).toEqual(['email', 'new-password', 'given-name', 'family-name', undefined, 'bday', undefined, undefined]);
    expect(controls(dom).map((c) => 'required' in c.attribs)).toEqual([true, true, true, false, false, false, true, false]);
    expect(dom.find('option', {}, dom.control('attr.plan')).map((o) => o.attribs.value)).toEqual(['', 'free', 'pro']);
    expect(formOf(dom, 'Create account').attribs.action).toBe('/t/acme/sign-up?return_to=%2Fdone');
    expect(links(dom)).toEqual({ 'Sign in': '/t/acme/sign-in?return_to=%2Fdone' });
    expect(text(dom.one('ul', { class: 'kl-links' }))).toBe('Already have an account? Sign in');
  });

  it('states the minimum password length as a hint and as a constraint, and every problem with the password', () => {
    const dom = render('sign-up');
    const password = dom.control('password');
    expect(password.attribs.minlength).toBe('12');
    expect(password.attribs['aria-describedby']).toBe('kl-password-hint kl-password-error');
    expect(text(dom.byId('kl-password-hint')!)).toBe('At least 12 characters');
    expect(text(dom.byId('kl-password-error')!)).toBe(
      'This password is too common. Choose one that is harder to guess. Use at least 12 characters.',
    );
  });

  it('keeps submitted values, but never the password', () => {
    const values = { email: 'a@b.test', password: 'secret', givenName: '<b>Ada</b>', 'attr.plan': 'pro', 'attr.newsletter': 'on' };
    const dom = new Dom(signUpPage(pageContext(), { fields: FIELDS, minPasswordLength: 8, values }));
    expect(dom.control('givenName').attribs.value).toBe('<b>Ada</b>');
    expect(dom.control('password').attribs.value).toBeUndefined();
    expect(dom.find('option', { selected: undefined }).map((o) => o.attribs.value)).toEqual(['pro']);
    expect('checked' in dom.control('attr.newsletter').attribs).toBe(true);
    expect(dom.source).not.toContain('secret');
  });

  it('focuses the first invalid field', () => {
    const dom = render('sign-up');
    expect(controls(dom).filter((c) => 'autofocus' in c.attribs).map((c) => c.attribs.name)).toEqual(['password']);
  });
});

describe('verifyEmailPage', () => {
  it('verifies only through a button, since following a link must change nothing', () => {
    const dom = render('verify email (token)');
    const form = formOf(dom, 'Verify email');
    expect([form.attribs.action, dom.hidden(form)]).toEqual(['/t/acme/verify-email?return_to=%2Fdone', { csrf: 'csrf-token', token: 'tok' }]);
    expect(dom.source).toContain('Confirm that a@b.test is your email address.');
  });

  it('offers a new link while pending and a way on when done', () => {
    expect(render('verify email (pending)').hidden(formOf(render('verify email (pending)'), 'Send a new link')).resend).toBe('1');
    const done = render('verify email (done)');
    expect(text(done.one('p', { class: 'kl-notice' }))).toBe('Your email address is verified.');
    expect(links(done)).toEqual({ 'Sign in': '/t/acme/sign-in?return_to=%2Fdone' });
  });
});

describe('forgotPasswordPage', () => {
  it('asks for the email address', () => {
    const dom = render('forgot password');
    expect(dom.control('email').attribs.autocomplete).toBe('email');
    expect(formOf(dom, 'Send reset link').attribs.action).toBe('/t/acme/forgot-password?return_to=%2Fdone');
  });

  it('says the same thing once sent, whether or not the account exists', () => {
    const dom = render('forgot password (sent)');
    expect(dom.find('form')).toHaveLength(0);
    expect(text(dom.one('p', { class: 'kl-notice' }))).toBe('If an account exists for a@b.test, we sent a link to reset the password.');
  });
});

describe('resetPasswordPage', () => {
  it('sets a new password with the token, signing out other devices unless unticked', () => {
    const dom = render('reset password');
    const form = formOf(dom, 'Reset password');
    expect(dom.hidden(form)).toEqual({ csrf: 'csrf-token', token: 'tok' });
    const password = dom.control('password');
    expect([dom.labelOf(password), password.attribs.autocomplete, password.attribs.minlength]).toEqual(['New password', 'new-password', '10']);
    expect(text(dom.byId('kl-password-error')!)).toBe('Use at least 10 characters.');
    const everywhere = dom.control('signOutEverywhere');
    expect([dom.labelOf(everywhere), 'checked' in everywhere.attribs]).toEqual(['Sign out of all other devices', true]);
  });

  it('links to sign-in when done', () => {
    expect(links(render('reset password (done)'))).toEqual({ 'Sign in': '/t/acme/sign-in?return_to=%2Fdone' });
  });
});

describe('mfaChallengePage', () => {
  it('asks for an authenticator code and links to the other methods', () => {
    const dom = render('mfa totp');
    const code = dom.control('code');
    expect([dom.labelOf(code), code.attribs.inputmode, code.attribs.autocomplete, code.attribs.pattern]).toEqual([
      'Authentication code',
      'numeric',
      'one-time-code',
      '[0-9]{6}',
    ]);
    expect(dom.hidden(formOf(dom, 'Verify'))).toEqual({ csrf: 'csrf-token', method: 'totp' });
    expect(links(dom)).toEqual({
      'Use a recovery code': '/t/acme/mfa?return_to=%2Fdone&method=recovery-code',
      'Email me a code': '/t/acme/mfa?return_to=%2Fdone&method=email-code',
    });
  });

  it('takes a recovery code as typed', () => {
    const dom = render('mfa recovery code');
    expect(dom.labelOf(dom.control('code'))).toBe('Recovery code');
    expect(dom.control('code').attribs).toMatchObject({ autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    expect(dom.control('code').attribs.pattern).toBeUndefined();
    expect(dom.hidden(formOf(dom, 'Verify')).method).toBe('recovery-code');
  });

  it('offers to send an email code first, then asks for it', () => {
    const first = render('mfa email (not sent)');
    expect(controls(first)).toEqual([]);
    expect(first.hidden(formOf(first, 'Send code'))).toEqual({ csrf: 'csrf-token', method: 'email-code', send: '1' });
    expect(first.find('h2')).toHaveLength(0);
    const sent = render('mfa email (sent)');
    expect(sent.source).toContain('We sent a code to a***@b.test.');
    expect(sent.hidden(formOf(sent, 'Verify'))).toEqual({ csrf: 'csrf-token', method: 'email-code' });
    expect(sent.hidden(formOf(sent, 'Send a new code'))).toEqual({ csrf: 'csrf-token', method: 'email-code', resend: '1' });
  });
});

describe('mfaEnrolPage', () => {
  it('shows the QR code and the key in groups of four, activates with a code, and may be skipped', () => {
    const dom = render('mfa enrol');
    expect(dom.one('img', { class: 'kl-qr' }).attribs).toMatchObject({ src: QR, alt: 'QR code for your authenticator app' });
    expect(text(dom.one('code'))).toBe('JBSW Y3DP EHPK 3PXP JBSW');
    expect(dom.source).toContain("Can&#39;t scan? Enter this key");
    expect(dom.labelOf(dom.control('code'))).toBe('Authentication code');
    expect(formOf(dom, 'Activate').attribs.action).toBe('/t/acme/mfa/enrol?return_to=%2Fdone');
    expect(formOf(dom, 'Skip for now').attribs.action).toBe('/t/acme/mfa/enrol/skip?return_to=%2Fdone');
  });

  it('cannot be skipped when required', () => {
    const dom = new Dom(mfaEnrolPage(pageContext(), { qrDataUri: QR, secret: 'ABCD', required: true }));
    expect(dom.find('button').map(text)).toEqual(['Activate']);
  });
});

describe('recoveryCodesPage', () => {
  it('lists the codes and continues to a safe address only', () => {
    const dom = render('recovery codes');
    expect(dom.find('li', {}, dom.one('ol')).map(text)).toEqual(['aaaa-bbbb', 'cccc-dddd']);
    expect(links(dom)).toEqual({ Continue: '/t/acme/oauth/continue' });
    const unsafe = new Dom(recoveryCodesPage(pageContext(), { codes: [], continueUrl: 'javascript:alert(1)' }));
    expect(links(unsafe)).toEqual({ Continue: '/t/acme/account?return_to=%2Fdone' });
  });
});

describe('accountPage', () => {
  it('shows who is signed in and lets them remove the authenticator app, change the password and sign out', () => {
    const dom = render('account');
    expect(dom.children(dom.one('dl')).map(text)).toEqual(['Name', 'Ada', 'Email', 'a@b.test verified']);
    expect(dom.source).toContain('Authenticator app: on');
    expect(dom.source).toContain('1 recovery code left');
    expect(formOf(dom, 'Remove authenticator app').attribs.action).toBe('/t/acme/mfa/totp/remove?return_to=%2Fdone');
    expect(formOf(dom, 'Sign out').attribs.action).toBe('/t/acme/sign-out?return_to=%2Fdone');
    expect(links(dom)).toEqual({ 'Change password': '/t/acme/account/password?return_to=%2Fdone' });
  });

  it('offers to set up an authenticator app when there is none', () => {
    const dom = new Dom(accountPage(pageContext({ query: '' }), { email: 'a@b.test', emailVerified: false, mfa: { totp: false, recoveryCodesLeft: 0 } }));
    expect(links(dom)).toEqual({ 'Set up authenticator app': '/t/acme/mfa/enrol', 'Change password': '/t/acme/account/password' });
    expect(dom.find('button').map(text)).toEqual(['Sign out']);
    expect(dom.children(dom.one('dl')).map(text)).toEqual(['Email', 'a@b.test not verified']);
  });
});

describe('changePasswordPage', () => {
  it('asks for the current and the new password', () => {
    const dom = render('change password');
    expect(controls(dom).map((c) => [c.attribs.name, c.attribs.autocomplete, dom.labelOf(c)])).toEqual([
      ['currentPassword', 'current-password', 'Current password'],
      ['newPassword', 'new-password', 'New password'],
      ['signOutOthers', undefined, 'Sign out of other devices'],
    ]);
    expect(dom.control('currentPassword').attribs['aria-invalid']).toBe('true');
    expect(formOf(dom, 'Change password').attribs.action).toBe('/t/acme/account/password?return_to=%2Fdone');
  });
});

describe('messagePage', () => {
  it('shows a localised message with a way on', () => {
    const dom = render('message', { locale: 'de' });
    expect(text(dom.one('h1'))).toBe('Etwas ist schiefgelaufen');
    expect(text(dom.one('p', { role: 'alert' }))).toBe('Bitte versuchen Sie es in einigen Minuten erneut.');
    expect(links(dom)).toEqual({ Anmelden: '/t/acme/sign-in' });
  });

  it('shows just a title when that is all there is', () => {
    const dom = new Dom(messagePage(pageContext(), { title: 'message.signed_out.title' }));
    expect(text(dom.one('main'))).toBe('You are signed out');
  });
});
