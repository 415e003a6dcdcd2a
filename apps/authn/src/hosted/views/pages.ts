import { type AttrValue, type Html, attrs, html } from './html';
import { type CatalogueKey, type FormError, type MessageKey, type MessageVars, errorMessage, t } from './i18n';
import { HOSTED_PAGE_PATHS as PATHS, type HostedPagePath, type PageContext, layout, pageHref, safeHref } from './layout';

type Errors = readonly FormError[];

interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'number' | 'date';
  value?: string;
  hint?: string;
  optional?: boolean;
  autofocus?: boolean;
  attrs?: Record<string, AttrValue>;
}

const ONE_TIME_CODE = { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6 } as const;

/**
 * Builds one page: localises, renders fields with their errors, and remembers which fields it
 * rendered so that the error summary can link to them.
 */
class Page {
  private readonly fieldIds = new Map<string, string>();
  private readonly focusErrors: boolean;
  private focused = false;

  constructor(
    readonly ctx: PageContext,
    private readonly errors: Errors = [],
    /** Defaults for error texts, e.g. `min` for `password_too_short`. */
    private readonly errorVars: MessageVars = {},
  ) {
    this.focusErrors = errors.some((e) => e.field);
  }

  t(key: CatalogueKey, vars?: MessageVars): string {
    return t(this.ctx.locale, key, vars);
  }

  href(path: HostedPagePath, params?: Record<string, string>): string {
    return pageHref(this.ctx, path, params);
  }

  link(path: HostedPagePath, key: CatalogueKey, params?: Record<string, string>): Html {
    return html`<a href="${this.href(path, params)}">${this.t(key)}</a>`;
  }

  /** A POST form to a hosted page with its own CSRF token. */
  form(path: HostedPagePath, hidden: Record<string, string>, content: Html, secondary = false): Html {
    const inputs = Object.entries({ csrf: this.ctx.csrf, ...hidden }).map(
      ([name, value]) => html`<input${attrs({ type: 'hidden', name, value })}>`,
    );
    return html`<form method="post"${attrs({ action: this.href(path), class: secondary && 'kl-secondary-form' })}>${inputs}${content}</form>\n`;
  }

  submit(key: CatalogueKey, secondary = false): Html {
    return html`<button type="submit" class="kl-button${secondary ? ' kl-button-secondary' : ''}">${this.t(key)}</button>`;
  }

  field(f: FieldSpec): Html {
    const c = this.control(f.name, f.autofocus, f.hint);
    const input = attrs({ id: c.id, name: f.name, type: f.type ?? 'text', value: f.value, required: !f.optional, ...c.attrs, ...f.attrs });
    return html`<div class="kl-field">${this.label(c.id, f.label, f.optional)}${c.hint}${c.error}<input${input}></div>\n`;
  }

  checkbox(f: { name: string; label: string; checked?: boolean; required?: boolean }): Html {
    const c = this.control(f.name);
    // `on`, the browser's default value for a ticked checkbox, is what the controllers read.
    const input = attrs({ type: 'checkbox', id: c.id, name: f.name, value: 'on', checked: f.checked, required: f.required, ...c.attrs });
    return html`<div class="kl-field kl-check"><input${input}><label for="${c.id}">${f.label}</label>${c.error}</div>\n`;
  }

  select(f: { name: string; label: string; options: readonly string[]; value?: string; optional?: boolean; autocomplete?: string }): Html {
    const c = this.control(f.name);
    const options = [
      html`<option value="">${this.t('form.choose')}</option>`,
      ...f.options.map((o) => html`<option${attrs({ value: o, selected: o === f.value })}>${o}</option>`),
    ];
    const select = attrs({ id: c.id, name: f.name, required: !f.optional, autocomplete: f.autocomplete, ...c.attrs });
    return html`<div class="kl-field">${this.label(c.id, f.label, f.optional)}${c.error}<select${select}>${options}</select></div>\n`;
  }

  links(items: readonly (Html | false | undefined)[]): Html | false {
    const shown = items.filter((i) => i);
    return shown.length > 0 && html`<ul class="kl-links">${shown.map((i) => html`<li>${i}</li>`)}</ul>\n`;
  }

  notice(text: string): Html {
    return html`<p class="kl-notice">${text}</p>\n`;
  }

  render(title: CatalogueKey, body: Html, titleVars?: MessageVars): string {
    const hasErrors = this.errors.length > 0;
    return layout(this.ctx, { title: this.t(title, titleVars), body: html`${this.summary()}${body}`, hasErrors });
  }

  private label(id: string, text: string, optional?: boolean): Html {
    return html`<label for="${id}">${text}${optional && html` <span class="kl-optional">${this.t('form.optional')}</span>`}</label>`;
  }

  /** Id, hint, error and ARIA state of a control; the first invalid control (else the requested one) gets the focus. */
  private control(name: string, autofocus = false, hint?: string) {
    const id = `kl-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    this.fieldIds.set(name, id);
    const messages = this.errors.filter((e) => e.field === name).map((e) => errorMessage(this.ctx.locale, e, this.errorVars));
    const invalid = messages.length > 0;
    const focus = !this.focused && (this.focusErrors ? invalid : autofocus);
    this.focused ||= focus;
    const describedBy = [hint && `${id}-hint`, invalid && `${id}-error`].filter(Boolean).join(' ');
    return {
      id,
      hint: hint && html`<p class="kl-hint" id="${id}-hint">${hint}</p>`,
      error: invalid && html`<p class="kl-field-error" id="${id}-error">${messages.join(' ')}</p>`,
      attrs: { autofocus: focus, 'aria-invalid': invalid && 'true', 'aria-describedby': describedBy || undefined },
    };
  }

  /** All errors at the top: general ones first, then by field in page order, each linking to its field (WCAG 3.3.1). */
  private summary(): Html | false {
    const order = [...this.fieldIds.keys()];
    const position = (e: FormError) => (e.field ? order.indexOf(e.field) : -1);
    const items = [...this.errors].sort((a, b) => position(a) - position(b)).map((e) => {
      const text = errorMessage(this.ctx.locale, e, this.errorVars);
      const id = e.field && this.fieldIds.get(e.field);
      return id ? html`<a href="#${id}">${text}</a>` : text;
    });
    if (items.length === 0) return false;
    const content = items.length === 1 ? html`<p>${items[0]}</p>` : html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
    return html`<div role="alert" class="kl-error">${content}</div>\n`;
  }
}

const emailField = (p: Page, value: string | undefined, autocomplete: 'username' | 'email', autofocus = true) =>
  p.field({ name: 'email', type: 'email', label: p.t('field.email'), value, autofocus, attrs: { autocomplete } });

const newPasswordField = (p: Page, name: string, label: CatalogueKey, min: number, autofocus = false) =>
  p.field({
    name,
    type: 'password',
    label: p.t(label),
    hint: p.t('field.password_hint', { min }),
    autofocus,
    attrs: { autocomplete: 'new-password', minlength: min },
  });

/** The code form and, beside it, a form asking for a new code; both post to `path`. */
function codeForms(p: Page, path: HostedPagePath, hidden: Record<string, string>, sentTo: string | undefined, submit: CatalogueKey): Html {
  const code = p.field({ name: 'code', label: p.t('field.code'), autofocus: true, attrs: ONE_TIME_CODE });
  const sent = sentTo ? p.t('code.sent', { email: sentTo }) : p.t('code.sent_unnamed');
  return html`<p>${sent}</p>
${p.form(path, hidden, html`${code}${p.submit(submit)}`)}${p.form(path, { ...hidden, resend: '1' }, p.submit('code.resend', true), true)}`;
}

export interface SignInView {
  email?: string;
  errors?: Errors;
  passwordless: boolean;
  signUp: boolean;
  /** Defaults to true. */
  forgotPassword?: boolean;
}

export function signInPage(ctx: PageContext, view: SignInView): string {
  const p = new Page(ctx, view.errors);
  const email = emailField(p, view.email, 'username', !view.email);
  const password = p.field({
    name: 'password',
    type: 'password',
    label: p.t('field.password'),
    autofocus: !!view.email,
    attrs: { autocomplete: 'current-password' },
  });
  const remember = p.checkbox({ name: 'remember', label: p.t('sign_in.remember') });
  const links = p.links([
    view.forgotPassword !== false && p.link(PATHS.forgotPassword, 'sign_in.forgot'),
    view.passwordless && p.link(PATHS.signInCode, 'sign_in.passwordless'),
    view.signUp && html`${p.t('sign_in.no_account')} ${p.link(PATHS.signUp, 'sign_in.sign_up')}`,
  ]);
  return p.render('sign_in.title', html`${p.form(PATHS.signIn, {}, html`${email}${password}${remember}${p.submit('sign_in.submit')}`)}${links}`);
}

export interface EmailCodeRequestView {
  email?: string;
  errors?: Errors;
}

export function emailCodeRequestPage(ctx: PageContext, view: EmailCodeRequestView): string {
  const p = new Page(ctx, view.errors);
  const form = p.form(PATHS.signInCode, {}, html`${emailField(p, view.email, 'email')}${p.submit('code_request.submit')}`);
  return p.render('code_request.title', html`<p>${p.t('code_request.intro')}</p>\n${form}${p.links([p.link(PATHS.signIn, 'code_request.password')])}`);
}

export type EmailCodePurpose = 'sign-in' | 'mfa' | 'verify-email';

export interface EmailCodeView {
  email: string;
  errors?: Errors;
  purpose: EmailCodePurpose;
}

const EMAIL_CODE_TARGETS: Record<EmailCodePurpose, { path: HostedPagePath; hidden: Record<string, string>; title: CatalogueKey }> = {
  'sign-in': { path: PATHS.signInCodeVerify, hidden: {}, title: 'code.title' },
  mfa: { path: PATHS.mfa, hidden: { method: 'email-code' }, title: 'mfa.title' },
  'verify-email': { path: PATHS.verifyEmail, hidden: {}, title: 'verify_email.title' },
};

export function emailCodePage(ctx: PageContext, view: EmailCodeView): string {
  const p = new Page(ctx, view.errors);
  const target = EMAIL_CODE_TARGETS[view.purpose];
  return p.render(target.title, codeForms(p, target.path, target.hidden, view.email, 'code.submit'));
}

export interface RegistrationField {
  name: string;
  label: string;
  type: 'string' | 'number' | 'boolean' | 'date' | 'enum';
  required: boolean;
  options?: string[];
  autocomplete?: string;
}

const TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(['givenName', 'familyName']);

/** The form name of a registration field: `givenName` and `familyName` as they are, others as `attr.{name}`. */
export const registrationInputName = (name: string): string => (TOP_LEVEL_FIELDS.has(name) ? name : `attr.${name}`);

function registrationField(p: Page, f: RegistrationField, values: Readonly<Record<string, string>>): Html {
  const name = registrationInputName(f.name);
  const value = values[name];
  const optional = !f.required;
  switch (f.type) {
    case 'boolean':
      return p.checkbox({ name, label: f.label, checked: value === 'on', required: f.required });
    case 'enum':
      return p.select({ name, label: f.label, options: f.options ?? [], value, optional, autocomplete: f.autocomplete });
    default: {
      const type = f.type === 'string' ? 'text' : f.type;
      return p.field({ name, label: f.label, type, value, optional, attrs: { autocomplete: f.autocomplete, step: type === 'number' && 'any' } });
    }
  }
}

export interface SignUpView {
  /** Submitted values by input name (`email`, `givenName`, `attr.company`, ...); passwords are never shown again. */
  values?: Record<string, string>;
  errors?: Errors;
  fields: RegistrationField[];
  minPasswordLength: number;
}

export function signUpPage(ctx: PageContext, view: SignUpView): string {
  const min = view.minPasswordLength;
  const p = new Page(ctx, view.errors, { min });
  const values = view.values ?? {};
  const fields = html`${emailField(p, values.email, 'email')}${newPasswordField(p, 'password', 'field.password', min)}${view.fields.map(
    (f) => registrationField(p, f, values),
  )}`;
  const signIn = p.links([html`${p.t('sign_up.have_account')} ${p.link(PATHS.signIn, 'sign_up.sign_in')}`]);
  return p.render('sign_up.title', html`${p.form(PATHS.signUp, {}, html`${fields}${p.submit('sign_up.submit')}`)}${signIn}`);
}

export interface VerifyEmailView {
  token?: string;
  email?: string;
  errors?: Errors;
  done?: boolean;
}

/** A link from an email lands here with its token; only the button (a POST) verifies, never the GET. */
export function verifyEmailPage(ctx: PageContext, view: VerifyEmailView): string {
  const p = new Page(ctx, view.errors);
  const { token, email } = view;
  let body: Html;
  if (view.done) {
    body = html`${p.notice(p.t('verify_email.done'))}${p.links([p.link(PATHS.signIn, 'link.sign_in')])}`;
  } else if (token) {
    const confirm = email ? p.t('verify_email.confirm', { email }) : p.t('verify_email.confirm_unnamed');
    body = html`<p>${confirm}</p>\n${p.form(PATHS.verifyEmail, { token }, p.submit('verify_email.submit'))}`;
  } else {
    const resend = p.form(PATHS.verifyEmail, { resend: '1' }, p.submit('verify_email.resend', true));
    const pending = email && html`<p>${p.t('verify_email.pending', { email })}</p>\n${resend}`;
    body = html`${pending}${p.links([p.link(PATHS.signIn, 'link.back_to_sign_in')])}`;
  }
  return p.render('verify_email.title', body);
}

export interface ForgotPasswordView {
  email?: string;
  errors?: Errors;
  sent?: boolean;
}

export function forgotPasswordPage(ctx: PageContext, view: ForgotPasswordView): string {
  const p = new Page(ctx, view.errors);
  const back = p.links([p.link(PATHS.signIn, 'link.back_to_sign_in')]);
  if (view.sent) return p.render('forgot.title', html`${p.notice(p.t('forgot.sent', { email: view.email ?? '' }))}${back}`);
  const form = p.form(PATHS.forgotPassword, {}, html`${emailField(p, view.email, 'email')}${p.submit('forgot.submit')}`);
  return p.render('forgot.title', html`<p>${p.t('forgot.intro')}</p>\n${form}${back}`);
}

export interface ResetPasswordView {
  token: string;
  errors?: Errors;
  minPasswordLength: number;
  done?: boolean;
}

export function resetPasswordPage(ctx: PageContext, view: ResetPasswordView): string {
  const min = view.minPasswordLength;
  const p = new Page(ctx, view.errors, { min });
  if (view.done) return p.render('reset.title', html`${p.notice(p.t('reset.done'))}${p.links([p.link(PATHS.signIn, 'link.sign_in')])}`);
  const password = newPasswordField(p, 'password', 'field.new_password', min, true);
  const everywhere = p.checkbox({ name: 'signOutEverywhere', label: p.t('reset.sign_out_everywhere'), checked: true });
  return p.render('reset.title', p.form(PATHS.resetPassword, { token: view.token }, html`${password}${everywhere}${p.submit('reset.submit')}`));
}

export type MfaMethod = 'totp' | 'recovery-code' | 'email-code';

export interface MfaChallengeView {
  methods: MfaMethod[];
  method: MfaMethod;
  errors?: Errors;
  /** The (masked) address an email code goes to. */
  emailHint?: string;
  /** For `email-code`: whether a code is on its way; until then the page offers to send one. */
  codeSent?: boolean;
}

const USE_METHOD: Record<MfaMethod, CatalogueKey> = {
  totp: 'mfa.use_totp',
  'recovery-code': 'mfa.use_recovery_code',
  'email-code': 'mfa.use_email_code',
};

const RECOVERY_CODE = { autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' } as const;

export function mfaChallengePage(ctx: PageContext, view: MfaChallengeView): string {
  const p = new Page(ctx, view.errors);
  const { method, emailHint } = view;
  let body: Html;
  if (method === 'email-code' && view.codeSent) {
    body = codeForms(p, PATHS.mfa, { method }, emailHint, 'mfa.submit');
  } else if (method === 'email-code') {
    const intro = emailHint ? p.t('mfa.email_intro', { email: emailHint }) : p.t('mfa.email_intro_unnamed');
    body = html`<p>${intro}</p>\n${p.form(PATHS.mfa, { method, send: '1' }, p.submit('mfa.email_send'))}`;
  } else {
    const totp = method === 'totp';
    const code = totp
      ? p.field({ name: 'code', label: p.t('field.totp'), autofocus: true, attrs: ONE_TIME_CODE })
      : p.field({ name: 'code', label: p.t('field.recovery_code'), autofocus: true, attrs: RECOVERY_CODE });
    const intro = p.t(totp ? 'mfa.totp_intro' : 'mfa.recovery_intro');
    body = html`<p>${intro}</p>\n${p.form(PATHS.mfa, { method }, html`${code}${p.submit('mfa.submit')}`)}`;
  }
  const others = view.methods.filter((m) => m !== method).map((m) => p.link(PATHS.mfa, USE_METHOD[m], { method: m }));
  const switcher = others.length > 0 && html`<h2>${p.t('mfa.other_methods')}</h2>\n${p.links(others)}`;
  return p.render('mfa.title', html`${body}${switcher}`);
}

export interface MfaEnrolView {
  qrDataUri: string;
  /** Base32 TOTP secret, shown for manual entry. */
  secret: string;
  errors?: Errors;
  required: boolean;
}

export function mfaEnrolPage(ctx: PageContext, view: MfaEnrolView): string {
  const p = new Page(ctx, view.errors);
  const key = view.secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
  const qr = html`<img${attrs({ class: 'kl-qr', src: view.qrDataUri, alt: p.t('enrol.qr_alt'), width: 200, height: 200 })}>`;
  // No autofocus: it would scroll the QR code and its instructions out of view.
  const code = p.field({ name: 'code', label: p.t('field.totp'), hint: p.t('enrol.code_hint'), attrs: ONE_TIME_CODE });
  const skip = !view.required && p.form(PATHS.mfaEnrolSkip, {}, p.submit('enrol.skip', true), true);
  return p.render(
    'enrol.title',
    html`<p>${p.t('enrol.scan')}</p>
${qr}
<p>${p.t('enrol.manual')}</p>
<p><code class="kl-secret">${key}</code></p>
${p.form(PATHS.mfaEnrol, {}, html`${code}${p.submit('enrol.submit')}`)}${skip}`,
  );
}

export interface RecoveryCodesView {
  codes: string[];
  continueUrl: string;
}

export function recoveryCodesPage(ctx: PageContext, view: RecoveryCodesView): string {
  const p = new Page(ctx);
  const href = safeHref(view.continueUrl, p.href(PATHS.account));
  const codes = view.codes.map((c) => html`<li><code>${c}</code></li>`);
  return p.render(
    'recovery.title',
    html`<p>${p.t('recovery.intro')}</p>
${p.notice(p.t('recovery.once'))}<ol class="kl-codes">${codes}</ol>
<a class="kl-button" href="${href}">${p.t('recovery.continue')}</a>`,
  );
}

export interface AccountView {
  email: string;
  name?: string;
  emailVerified: boolean;
  mfa: { totp: boolean; recoveryCodesLeft: number };
  /** Not shown yet. */
  sessions?: never;
}

export function accountPage(ctx: PageContext, view: AccountView): string {
  const p = new Page(ctx);
  const { totp, recoveryCodesLeft: count } = view.mfa;
  const plural = new Intl.PluralRules(ctx.locale).select(count) === 'one' ? 'one' : 'other';
  const mfa = totp
    ? html`<p>${p.t('account.totp_on')}</p>
<p>${p.t(`account.recovery_left.${plural}`, { count })}</p>
${p.form(PATHS.mfaTotpRemove, {}, p.submit('account.totp_remove', true))}`
    : html`<p>${p.link(PATHS.mfaEnrol, 'account.totp_setup')}</p>\n`;
  const name = view.name && html`<dt>${p.t('account.name')}</dt><dd>${view.name}</dd>`;
  const verified = p.t(view.emailVerified ? 'account.verified' : 'account.unverified');
  return p.render(
    'account.title',
    html`<dl class="kl-details">${name}<dt>${p.t('account.email')}</dt><dd>${view.email} <span class="kl-badge">${verified}</span></dd></dl>
<h2>${p.t('account.mfa')}</h2>
${mfa}<h2>${p.t('account.password')}</h2>
<p>${p.link(PATHS.changePassword, 'account.change_password')}</p>
${p.form(PATHS.signOut, {}, p.submit('account.sign_out', true), true)}`,
  );
}

export interface ChangePasswordView {
  errors?: Errors;
  minPasswordLength: number;
  done?: boolean;
}

export function changePasswordPage(ctx: PageContext, view: ChangePasswordView): string {
  const min = view.minPasswordLength;
  const p = new Page(ctx, view.errors, { min });
  const back = p.links([p.link(PATHS.account, 'change_password.back')]);
  if (view.done) return p.render('change_password.title', html`${p.notice(p.t('change_password.done'))}${back}`);
  const current = p.field({
    name: 'currentPassword',
    type: 'password',
    label: p.t('field.current_password'),
    autofocus: true,
    attrs: { autocomplete: 'current-password' },
  });
  const others = p.checkbox({ name: 'signOutOthers', label: p.t('change_password.sign_out_others') });
  const fields = html`${current}${newPasswordField(p, 'newPassword', 'field.new_password', min)}${others}`;
  return p.render('change_password.title', html`${p.form(PATHS.changePassword, {}, html`${fields}${p.submit('change_password.submit')}`)}${back}`);
}

export interface MessageView {
  title: MessageKey;
  body?: MessageKey;
  vars?: MessageVars;
  /** `href` must be a path or an http(s) URL; anything else links to sign-in. */
  link?: { href: string; label: MessageKey };
  status?: 'info' | 'error';
}

/** Pages that only say something: signed out, unknown tenant, expired flow, unexpected error. */
export function messagePage(ctx: PageContext, view: MessageView): string {
  const p = new Page(ctx);
  const text = view.body && p.t(view.body, view.vars);
  const body = text && (view.status === 'error' ? html`<p role="alert" class="kl-error">${text}</p>\n` : html`<p>${text}</p>\n`);
  const href = view.link && safeHref(view.link.href, p.href(PATHS.signIn));
  const link = view.link && html`<a class="kl-button" href="${href}">${p.t(view.link.label, view.vars)}</a>`;
  return p.render(view.title, html`${body}${link}`, view.vars);
}
