export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** Names of the languages in themselves, for the locale switcher. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', de: 'Deutsch' };

/** Error codes a controller hands to a page; the page localises them. */
export const ERROR_CODES = [
  'invalid_credentials',
  'too_many_attempts',
  'csrf_failed',
  'flow_expired',
  'validation_failed',
  'password_too_short',
  'password_too_long',
  'password_common',
  'password_reused',
  'password_contains_identifier',
  'email_taken',
  'invalid_code',
  'code_expired',
  'invalid_token',
  'email_not_verified',
  'sign_up_disabled',
  'mfa_required',
  'internal_error',
  'account_unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

type ErrorKey = `error.${ErrorCode}` | 'error.generic';

const en = {
  'layout.skip': 'Skip to main content',
  'layout.language': 'Language',
  'layout.error_title': 'Error: {title}',
  'form.optional': '(optional)',
  'form.choose': 'Choose…',
  'form.errors': 'There is a problem',
  'field.email': 'Email',
  'field.password': 'Password',
  'field.password_hint': 'At least {min} characters',
  'field.new_password': 'New password',
  'field.current_password': 'Current password',
  'field.code': 'Code',
  'field.totp': 'Authentication code',
  'field.recovery_code': 'Recovery code',
  'sign_in.title': 'Sign in',
  'sign_in.remember': 'Keep me signed in',
  'sign_in.submit': 'Sign in',
  'sign_in.forgot': 'Forgot password?',
  'sign_in.no_account': 'New here?',
  'sign_in.sign_up': 'Create account',
  'sign_in.passwordless': 'Email me a sign-in code',
  'code_request.title': 'Sign in with a code',
  'code_request.intro': 'We will email you a one-time code to sign in with.',
  'code_request.submit': 'Send code',
  'code_request.password': 'Sign in with a password instead',
  'code.title': 'Check your email',
  'code.sent': 'We sent a code to {email}.',
  'code.sent_unnamed': 'We sent a code to your email address.',
  'code.submit': 'Continue',
  'code.resend': 'Send a new code',
  'sign_up.title': 'Create account',
  'sign_up.submit': 'Create account',
  'sign_up.have_account': 'Already have an account?',
  'sign_up.sign_in': 'Sign in',
  'verify_email.title': 'Verify your email',
  'verify_email.confirm': 'Confirm that {email} is your email address.',
  'verify_email.confirm_unnamed': 'Confirm that this is your email address.',
  'verify_email.submit': 'Verify email',
  'verify_email.pending': 'We sent a link to {email}. Open it to verify your email address.',
  'verify_email.resend': 'Send a new link',
  'verify_email.done': 'Your email address is verified.',
  'forgot.title': 'Reset your password',
  'forgot.intro': 'Enter your email and we will send you a link to reset your password.',
  'forgot.submit': 'Send reset link',
  'forgot.sent': 'If an account exists for {email}, we sent a link to reset the password.',
  'reset.title': 'Choose a new password',
  'reset.sign_out_everywhere': 'Sign out of all other devices',
  'reset.submit': 'Reset password',
  'reset.done': 'Your password has been reset.',
  'mfa.title': 'Two-step verification',
  'mfa.totp_intro': 'Enter the 6-digit code from your authenticator app.',
  'mfa.recovery_intro': 'Enter one of the recovery codes you saved when you set up two-step verification.',
  'mfa.email_intro': 'We will email a code to {email}.',
  'mfa.email_intro_unnamed': 'We will email a code to your email address.',
  'mfa.email_send': 'Send code',
  'mfa.submit': 'Verify',
  'mfa.other_methods': 'Other ways to verify',
  'mfa.use_totp': 'Use your authenticator app',
  'mfa.use_recovery_code': 'Use a recovery code',
  'mfa.use_email_code': 'Email me a code',
  'enrol.title': 'Set up your authenticator app',
  'enrol.scan': 'Scan this QR code with an authenticator app.',
  'enrol.qr_alt': 'QR code for your authenticator app',
  'enrol.manual': "Can't scan? Enter this key",
  'enrol.code_hint': 'Then enter the 6-digit code the app shows.',
  'enrol.submit': 'Activate',
  'enrol.skip': 'Skip for now',
  'recovery.title': 'Save your recovery codes',
  'recovery.intro': 'If you lose your authenticator app, you can sign in with one of these codes. Each code works once.',
  'recovery.once': 'They are shown only this once: store them somewhere safe, such as a password manager.',
  'recovery.continue': 'Continue',
  'account.title': 'Your account',
  'account.name': 'Name',
  'account.email': 'Email',
  'account.verified': 'verified',
  'account.unverified': 'not verified',
  'account.mfa': 'Two-step verification',
  'account.totp_on': 'Authenticator app: on',
  'account.totp_setup': 'Set up authenticator app',
  'account.totp_remove': 'Remove authenticator app',
  'account.recovery_left.one': '{count} recovery code left',
  'account.recovery_left.other': '{count} recovery codes left',
  'account.password': 'Password',
  'account.change_password': 'Change password',
  'account.sign_out': 'Sign out',
  'change_password.title': 'Change password',
  'change_password.sign_out_others': 'Sign out of other devices',
  'change_password.submit': 'Change password',
  'change_password.done': 'Your password has been changed.',
  'change_password.back': 'Back to your account',
  'link.sign_in': 'Sign in',
  'link.back_to_sign_in': 'Back to sign in',
  'message.signed_out.title': 'You are signed out',
  'message.signed_out.body': 'You can close this window.',
  'message.not_found.title': 'Page not found',
  'message.not_found.body': 'There is no sign-in page at this address. Check the link and try again.',
  'message.flow_expired.title': 'This page has expired',
  'message.flow_expired.body': 'Go back to the application and start again.',
  'message.error.title': 'Something went wrong',
  'message.error.body': 'Please try again in a few minutes.',
  'message.link.sign_in': 'Sign in',
  'message.link.account': 'Go to your account',
  'message.link.start_over': 'Start again',
  'error.invalid_credentials': 'Incorrect email or password.',
  'error.too_many_attempts': 'Too many attempts. Please try again later.',
  'error.too_many_attempts_retry': 'Too many attempts. Please try again in {retryAfter}.',
  'error.csrf_failed': 'This form has expired. Please try again.',
  'error.flow_expired': 'This sign-in has expired. Please start again.',
  'error.validation_failed': 'Please check your input.',
  'error.password_too_short': 'Use at least {min} characters.',
  'error.password_too_long': 'Use at most {max} characters.',
  'error.password_common': 'This password is too common. Choose one that is harder to guess.',
  'error.password_reused': 'Choose a password you have not used before.',
  'error.password_contains_identifier': 'Your password must not contain your email address or name.',
  'error.email_taken': 'An account with this email already exists.',
  'error.invalid_code': 'That code is not correct.',
  'error.code_expired': 'That code has expired. Request a new one.',
  'error.invalid_token': 'This link is invalid or has expired.',
  'error.email_not_verified': 'Verify your email address first.',
  'error.sign_up_disabled': 'Creating an account is not possible here.',
  'error.mfa_required': 'Additional verification is required.',
  'error.internal_error': 'Something went wrong on our side. Please try again.',
  'error.account_unavailable': 'This account cannot sign in. Please contact support.',
  'error.generic': 'Something went wrong. Please try again.',
} satisfies Record<string, string> & Record<ErrorKey, string>;

export type CatalogueKey = keyof typeof en;
/** Every locale has every key: a missing or unknown key fails to compile. */
export type Catalogue = Readonly<Record<CatalogueKey, string>>;
/** The keys a message page may show. */
export type MessageKey = Extract<CatalogueKey, `message.${string}`>;

const de: Catalogue = {
  'layout.skip': 'Zum Inhalt springen',
  'layout.language': 'Sprache',
  'layout.error_title': 'Fehler: {title}',
  'form.optional': '(optional)',
  'form.choose': 'Bitte wählen…',
  'form.errors': 'Es ist ein Problem aufgetreten',
  'field.email': 'E-Mail',
  'field.password': 'Passwort',
  'field.password_hint': 'Mindestens {min} Zeichen',
  'field.new_password': 'Neues Passwort',
  'field.current_password': 'Aktuelles Passwort',
  'field.code': 'Code',
  'field.totp': 'Authentifizierungscode',
  'field.recovery_code': 'Wiederherstellungscode',
  'sign_in.title': 'Anmelden',
  'sign_in.remember': 'Angemeldet bleiben',
  'sign_in.submit': 'Anmelden',
  'sign_in.forgot': 'Passwort vergessen?',
  'sign_in.no_account': 'Neu hier?',
  'sign_in.sign_up': 'Konto erstellen',
  'sign_in.passwordless': 'Anmeldecode per E-Mail senden',
  'code_request.title': 'Mit Code anmelden',
  'code_request.intro': 'Wir senden Ihnen einen einmaligen Code per E-Mail, mit dem Sie sich anmelden können.',
  'code_request.submit': 'Code senden',
  'code_request.password': 'Stattdessen mit Passwort anmelden',
  'code.title': 'Prüfen Sie Ihre E-Mails',
  'code.sent': 'Wir haben einen Code an {email} gesendet.',
  'code.sent_unnamed': 'Wir haben einen Code an Ihre E-Mail-Adresse gesendet.',
  'code.submit': 'Weiter',
  'code.resend': 'Neuen Code senden',
  'sign_up.title': 'Konto erstellen',
  'sign_up.submit': 'Konto erstellen',
  'sign_up.have_account': 'Sie haben bereits ein Konto?',
  'sign_up.sign_in': 'Anmelden',
  'verify_email.title': 'E-Mail-Adresse bestätigen',
  'verify_email.confirm': 'Bestätigen Sie, dass {email} Ihre E-Mail-Adresse ist.',
  'verify_email.confirm_unnamed': 'Bestätigen Sie, dass dies Ihre E-Mail-Adresse ist.',
  'verify_email.submit': 'E-Mail-Adresse bestätigen',
  'verify_email.pending': 'Wir haben einen Link an {email} gesendet. Öffnen Sie ihn, um Ihre E-Mail-Adresse zu bestätigen.',
  'verify_email.resend': 'Neuen Link senden',
  'verify_email.done': 'Ihre E-Mail-Adresse ist bestätigt.',
  'forgot.title': 'Passwort zurücksetzen',
  'forgot.intro': 'Geben Sie Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie Ihr Passwort zurücksetzen können.',
  'forgot.submit': 'Link senden',
  'forgot.sent': 'Falls ein Konto für {email} existiert, haben wir einen Link zum Zurücksetzen des Passworts gesendet.',
  'reset.title': 'Neues Passwort wählen',
  'reset.sign_out_everywhere': 'Auf allen anderen Geräten abmelden',
  'reset.submit': 'Passwort zurücksetzen',
  'reset.done': 'Ihr Passwort wurde zurückgesetzt.',
  'mfa.title': 'Bestätigung in zwei Schritten',
  'mfa.totp_intro': 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.',
  'mfa.recovery_intro': 'Geben Sie einen der Wiederherstellungscodes ein, die Sie beim Einrichten gespeichert haben.',
  'mfa.email_intro': 'Wir senden einen Code an {email}.',
  'mfa.email_intro_unnamed': 'Wir senden einen Code an Ihre E-Mail-Adresse.',
  'mfa.email_send': 'Code senden',
  'mfa.submit': 'Bestätigen',
  'mfa.other_methods': 'Andere Möglichkeiten',
  'mfa.use_totp': 'Authenticator-App verwenden',
  'mfa.use_recovery_code': 'Wiederherstellungscode verwenden',
  'mfa.use_email_code': 'Code per E-Mail senden',
  'enrol.title': 'Authenticator-App einrichten',
  'enrol.scan': 'Scannen Sie diesen QR-Code mit einer Authenticator-App.',
  'enrol.qr_alt': 'QR-Code für Ihre Authenticator-App',
  'enrol.manual': 'Scannen nicht möglich? Geben Sie diesen Schlüssel ein',
  'enrol.code_hint': 'Geben Sie danach den 6-stelligen Code aus der App ein.',
  'enrol.submit': 'Aktivieren',
  'enrol.skip': 'Später einrichten',
  'recovery.title': 'Wiederherstellungscodes speichern',
  'recovery.intro':
    'Falls Sie keinen Zugriff mehr auf Ihre Authenticator-App haben, können Sie sich mit einem dieser Codes anmelden. Jeder Code gilt nur einmal.',
  'recovery.once': 'Die Codes werden nur jetzt angezeigt: Bewahren Sie sie sicher auf, etwa in einem Passwort-Manager.',
  'recovery.continue': 'Weiter',
  'account.title': 'Ihr Konto',
  'account.name': 'Name',
  'account.email': 'E-Mail',
  'account.verified': 'bestätigt',
  'account.unverified': 'nicht bestätigt',
  'account.mfa': 'Bestätigung in zwei Schritten',
  'account.totp_on': 'Authenticator-App: aktiv',
  'account.totp_setup': 'Authenticator-App einrichten',
  'account.totp_remove': 'Authenticator-App entfernen',
  'account.recovery_left.one': 'Noch {count} Wiederherstellungscode übrig',
  'account.recovery_left.other': 'Noch {count} Wiederherstellungscodes übrig',
  'account.password': 'Passwort',
  'account.change_password': 'Passwort ändern',
  'account.sign_out': 'Abmelden',
  'change_password.title': 'Passwort ändern',
  'change_password.sign_out_others': 'Auf anderen Geräten abmelden',
  'change_password.submit': 'Passwort ändern',
  'change_password.done': 'Ihr Passwort wurde geändert.',
  'change_password.back': 'Zurück zu Ihrem Konto',
  'link.sign_in': 'Anmelden',
  'link.back_to_sign_in': 'Zurück zur Anmeldung',
  'message.signed_out.title': 'Sie sind abgemeldet',
  'message.signed_out.body': 'Sie können dieses Fenster jetzt schließen.',
  'message.not_found.title': 'Seite nicht gefunden',
  'message.not_found.body': 'Unter dieser Adresse gibt es keine Anmeldeseite. Bitte prüfen Sie den Link.',
  'message.flow_expired.title': 'Diese Seite ist abgelaufen',
  'message.flow_expired.body': 'Kehren Sie zur Anwendung zurück und beginnen Sie erneut.',
  'message.error.title': 'Etwas ist schiefgelaufen',
  'message.error.body': 'Bitte versuchen Sie es in einigen Minuten erneut.',
  'message.link.sign_in': 'Anmelden',
  'message.link.account': 'Zu Ihrem Konto',
  'message.link.start_over': 'Erneut beginnen',
  'error.invalid_credentials': 'E-Mail-Adresse oder Passwort ist falsch.',
  'error.too_many_attempts': 'Zu viele Versuche. Bitte versuchen Sie es später erneut.',
  'error.too_many_attempts_retry': 'Zu viele Versuche. Bitte versuchen Sie es in {retryAfter} erneut.',
  'error.csrf_failed': 'Dieses Formular ist abgelaufen. Bitte versuchen Sie es erneut.',
  'error.flow_expired': 'Diese Anmeldung ist abgelaufen. Bitte beginnen Sie erneut.',
  'error.validation_failed': 'Bitte überprüfen Sie Ihre Eingabe.',
  'error.password_too_short': 'Verwenden Sie mindestens {min} Zeichen.',
  'error.password_too_long': 'Verwenden Sie höchstens {max} Zeichen.',
  'error.password_common': 'Dieses Passwort ist zu verbreitet. Wählen Sie eines, das schwerer zu erraten ist.',
  'error.password_reused': 'Wählen Sie ein Passwort, das Sie noch nicht verwendet haben.',
  'error.password_contains_identifier': 'Ihr Passwort darf weder Ihre E-Mail-Adresse noch Ihren Namen enthalten.',
  'error.email_taken': 'Für diese E-Mail-Adresse gibt es bereits ein Konto.',
  'error.invalid_code': 'Dieser Code ist nicht korrekt.',
  'error.code_expired': 'Dieser Code ist abgelaufen. Fordern Sie einen neuen an.',
  'error.invalid_token': 'Dieser Link ist ungültig oder abgelaufen.',
  'error.email_not_verified': 'Bestätigen Sie zuerst Ihre E-Mail-Adresse.',
  'error.sign_up_disabled': 'Hier kann kein Konto erstellt werden.',
  'error.mfa_required': 'Eine zusätzliche Bestätigung ist erforderlich.',
  'error.internal_error': 'Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.',
  'error.account_unavailable': 'Mit diesem Konto ist keine Anmeldung möglich. Bitte wenden Sie sich an den Support.',
  'error.generic': 'Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.',
};

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = { en, de };

export type MessageVars = Readonly<Record<string, string | number>>;

/** A catalogue text with `{name}` placeholders filled in; numbers are formatted for the locale. */
export function t(locale: Locale, key: CatalogueKey, vars: MessageVars = {}): string {
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    if (!Object.hasOwn(vars, name)) return placeholder;
    const value = vars[name];
    return typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value;
  });
}

/** An error as a controller reports it: a code, the field it belongs to (if any), and its variables. */
export interface FormError {
  field?: string;
  code: ErrorCode;
  vars?: MessageVars;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function formatWait(locale: Locale, seconds: number): string {
  const minutes = seconds >= 90;
  const unit = minutes ? 'minute' : 'second';
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(Math.ceil(minutes ? seconds / 60 : seconds));
}

/** The localised text of an error; unknown codes (from a newer controller) get a generic text. */
export function errorMessage(locale: Locale, error: Pick<FormError, 'code' | 'vars'>, defaults: MessageVars = {}): string {
  const vars = { ...defaults, ...error.vars };
  if (error.code === 'too_many_attempts') {
    const seconds = Number(vars.retryAfterSeconds);
    if (seconds > 0) return t(locale, 'error.too_many_attempts_retry', { retryAfter: formatWait(locale, seconds) });
  }
  return t(locale, KNOWN_CODES.has(error.code) ? `error.${error.code}` : 'error.generic', vars);
}

const primaryTag = (tag: string): Locale | undefined => {
  const primary = tag.trim().toLowerCase().split('-')[0];
  return (LOCALES as readonly string[]).includes(primary) ? (primary as Locale) : undefined;
};

/**
 * The page language: the first supported tag of OIDC `ui_locales` (space-separated, in order of
 * preference; OpenID Connect Core §3.1.2.1), else the best supported range of Accept-Language by
 * q-value (RFC 9110 §12.5.4), else English.
 */
export function negotiateLocale(uiLocales?: string, acceptLanguage?: string): Locale {
  for (const tag of uiLocales?.split(/\s+/) ?? []) {
    const locale = primaryTag(tag);
    if (locale) return locale;
  }
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag, q: q === undefined ? 1 : Number(q.slice(2)) };
    })
    .filter((r) => r.q > 0) // also drops NaN
    .sort((a, b) => b.q - a.q); // stable: equal weights keep the client's order
  for (const { tag } of ranges) {
    const locale = primaryTag(tag);
    if (locale) return locale;
  }
  return 'en';
}
