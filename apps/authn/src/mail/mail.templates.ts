/** The mails authn sends. */
export const MAIL_TEMPLATE_KEYS = [
  'verify-email',
  'reset-password',
  'sign-in-code',
  'mfa-code',
  'email-change',
  'password-changed',
  'account-locked',
] as const;
export type MailTemplateKey = (typeof MAIL_TEMPLATE_KEYS)[number];

/** Locales with default templates; every other locale falls back to `en`. */
export const MAIL_LOCALES = ['en', 'de'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

export const MAIL_TEMPLATE_FIELDS = ['subject', 'text', 'html'] as const;
export type MailTemplateField = (typeof MAIL_TEMPLATE_FIELDS)[number];
export type MailTemplate = Record<MailTemplateField, string>;

/** A tenant's own templates: any field of any template in any locale; missing fields use the defaults. */
export type MailTemplateOverrides = Partial<Record<MailTemplateKey, Partial<Record<MailLocale, Partial<MailTemplate>>>>>;

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_BODY_LENGTH = 20_000;

/** Variables every template may use. */
export type CommonMailVars = { tenantName: string; email: string };

/** The variables of each template besides the common ones; all of them are required to render it. */
export interface MailTemplateVars {
  'verify-email': { code: string; link: string; expiresInMinutes: number };
  'reset-password': { link: string; expiresInMinutes: number };
  'sign-in-code': { code: string; expiresInMinutes: number };
  'mfa-code': { code: string; expiresInMinutes: number };
  'email-change': { code: string; link: string; expiresInMinutes: number };
  'password-changed': Record<never, never>;
  'account-locked': { expiresInMinutes: number };
}

export type MailVars<K extends MailTemplateKey> = CommonMailVars & MailTemplateVars[K];

const TEMPLATE_VARS = {
  'verify-email': ['code', 'link', 'expiresInMinutes'],
  'reset-password': ['link', 'expiresInMinutes'],
  'sign-in-code': ['code', 'expiresInMinutes'],
  'mfa-code': ['code', 'expiresInMinutes'],
  'email-change': ['code', 'link', 'expiresInMinutes'],
  'password-changed': [],
  'account-locked': ['expiresInMinutes'],
} as const satisfies { [K in MailTemplateKey]: readonly (keyof MailTemplateVars[K])[] };

const COMMON_VARS = ['tenantName', 'email'] as const;

/** Every variable `key`'s templates may use. */
export const templateVariables = (key: MailTemplateKey): string[] => [...COMMON_VARS, ...TEMPLATE_VARS[key]];

/**
 * What the mail exists for: a body without it is useless, so overrides of text and html must keep
 * it. Verification and email change confirm by code; their link only leads back to where it is entered.
 */
const ESSENTIAL_VARS: Record<MailTemplateKey, readonly string[]> = {
  'verify-email': ['code'],
  'reset-password': ['link'],
  'sign-in-code': ['code'],
  'mfa-code': ['code'],
  'email-change': ['code'],
  'password-changed': [],
  'account-locked': [],
};

/** A template, or the variables given to it, cannot make a mail (a bug of the caller, never retried). */
export class MailRenderError extends Error {
  override readonly name = 'MailRenderError';
}

// Lenient on purpose: `{{ foo bar }}` is found too, so that validation can name it and rendering
// drops it instead of mailing the braces.
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/** `de-AT`, `de_DE`, `DE` become `de`; anything without a default template becomes `en`. */
export function resolveMailLocale(locale: string | null | undefined): MailLocale {
  const language = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (MAIL_LOCALES as readonly string[]).includes(language) ? (language as MailLocale) : 'en';
}

// Default templates are written once as paragraphs; text and HTML are derived from them so they
// never drift apart. A paragraph that is just `{{link}}` or `{{code}}` is set apart in the HTML.
type DefaultTemplate = { subject: string; paragraphs: string[] };

const LINK = '{{link}}';
const CODE = '{{code}}';

const DEFAULTS: Record<MailTemplateKey, Record<MailLocale, DefaultTemplate>> = {
  'verify-email': {
    en: {
      subject: 'Confirm your email address for {{tenantName}}',
      paragraphs: [
        'Hello,',
        'please confirm with this code that {{email}} is your email address for {{tenantName}}:',
        CODE,
        'Enter it on the page where you signed up, or continue here:',
        LINK,
        'The code is valid for {{expiresInMinutes}} minutes. If you did not create an account with {{tenantName}}, you can ignore this email.',
      ],
    },
    de: {
      subject: 'Bestätigen Sie Ihre E-Mail-Adresse für {{tenantName}}',
      paragraphs: [
        'Hallo,',
        'bitte bestätigen Sie mit diesem Code, dass {{email}} Ihre E-Mail-Adresse bei {{tenantName}} ist:',
        CODE,
        'Geben Sie ihn auf der Seite ein, auf der Sie sich registriert haben, oder fahren Sie hier fort:',
        LINK,
        'Der Code ist {{expiresInMinutes}} Minuten lang gültig. Wenn Sie kein Konto bei {{tenantName}} angelegt haben, können Sie diese E-Mail ignorieren.',
      ],
    },
  },
  'reset-password': {
    en: {
      subject: 'Reset your {{tenantName}} password',
      paragraphs: [
        'Hello,',
        'we received a request to reset the password of your {{tenantName}} account {{email}}. Open this link to choose a new password:',
        LINK,
        'The link is valid for {{expiresInMinutes}} minutes. If you did not ask for this, ignore this email: your password stays unchanged.',
      ],
    },
    de: {
      subject: 'Ihr Passwort für {{tenantName}} zurücksetzen',
      paragraphs: [
        'Hallo,',
        'wir haben eine Anfrage erhalten, das Passwort Ihres Kontos {{email}} bei {{tenantName}} zurückzusetzen. Öffnen Sie diesen Link, um ein neues Passwort festzulegen:',
        LINK,
        'Der Link ist {{expiresInMinutes}} Minuten lang gültig. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
      ],
    },
  },
  'sign-in-code': {
    en: {
      subject: 'Your {{tenantName}} sign-in code',
      paragraphs: [
        'Hello,',
        'use this code to sign in to {{tenantName}} as {{email}}:',
        CODE,
        'The code is valid for {{expiresInMinutes}} minutes. Never share it with anyone. If you did not try to sign in, you can ignore this email.',
      ],
    },
    de: {
      subject: 'Ihr Anmeldecode für {{tenantName}}',
      paragraphs: [
        'Hallo,',
        'mit diesem Code melden Sie sich als {{email}} bei {{tenantName}} an:',
        CODE,
        'Der Code ist {{expiresInMinutes}} Minuten lang gültig. Geben Sie ihn niemals an andere weiter. Wenn Sie sich nicht anmelden wollten, können Sie diese E-Mail ignorieren.',
      ],
    },
  },
  'mfa-code': {
    en: {
      subject: 'Your {{tenantName}} security code',
      paragraphs: [
        'Hello,',
        'use this security code to confirm the sign-in of {{email}} to {{tenantName}}:',
        CODE,
        'The code is valid for {{expiresInMinutes}} minutes. If you are not signing in right now, someone may know your password: please change it right away.',
      ],
    },
    de: {
      subject: 'Ihr Sicherheitscode für {{tenantName}}',
      paragraphs: [
        'Hallo,',
        'mit diesem Sicherheitscode bestätigen Sie die Anmeldung von {{email}} bei {{tenantName}}:',
        CODE,
        'Der Code ist {{expiresInMinutes}} Minuten lang gültig. Wenn Sie sich gerade nicht anmelden, kennt möglicherweise jemand Ihr Passwort: Bitte ändern Sie es umgehend.',
      ],
    },
  },
  'email-change': {
    en: {
      subject: 'Confirm your new email address for {{tenantName}}',
      paragraphs: [
        'Hello,',
        'you asked to change the email address of your {{tenantName}} account to {{email}}. Confirm the change with this code:',
        CODE,
        'Enter it in your account settings, or continue here:',
        LINK,
        'The code is valid for {{expiresInMinutes}} minutes. If you did not ask for this change, ignore this email: your account keeps its current address.',
      ],
    },
    de: {
      subject: 'Bestätigen Sie Ihre neue E-Mail-Adresse für {{tenantName}}',
      paragraphs: [
        'Hallo,',
        'Sie möchten die E-Mail-Adresse Ihres Kontos bei {{tenantName}} in {{email}} ändern. Bestätigen Sie die Änderung mit diesem Code:',
        CODE,
        'Geben Sie ihn in Ihren Kontoeinstellungen ein oder fahren Sie hier fort:',
        LINK,
        'Der Code ist {{expiresInMinutes}} Minuten lang gültig. Wenn Sie diese Änderung nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Konto behält seine bisherige Adresse.',
      ],
    },
  },
  'password-changed': {
    en: {
      subject: 'Your {{tenantName}} password was changed',
      paragraphs: [
        'Hello,',
        'the password of your {{tenantName}} account {{email}} was just changed.',
        'If that was you, there is nothing else to do. If it was not, reset your password right away and contact the {{tenantName}} support team.',
      ],
    },
    de: {
      subject: 'Ihr Passwort für {{tenantName}} wurde geändert',
      paragraphs: [
        'Hallo,',
        'das Passwort Ihres Kontos {{email}} bei {{tenantName}} wurde soeben geändert.',
        'Wenn Sie das selbst waren, ist nichts weiter zu tun. Andernfalls setzen Sie Ihr Passwort bitte sofort zurück und wenden Sie sich an den Support von {{tenantName}}.',
      ],
    },
  },
  'account-locked': {
    en: {
      subject: 'Your {{tenantName}} account was locked',
      paragraphs: [
        'Hello,',
        'after too many failed sign-in attempts we have temporarily locked your {{tenantName}} account {{email}}. The lock lifts automatically in {{expiresInMinutes}} minutes.',
        'If these attempts were not yours, someone may be trying to get into your account: change your password once the lock has lifted.',
      ],
    },
    de: {
      subject: 'Ihr Konto bei {{tenantName}} wurde gesperrt',
      paragraphs: [
        'Hallo,',
        'nach zu vielen fehlgeschlagenen Anmeldeversuchen haben wir Ihr Konto {{email}} bei {{tenantName}} vorübergehend gesperrt. Die Sperre wird in {{expiresInMinutes}} Minuten automatisch aufgehoben.',
        'Wenn diese Versuche nicht von Ihnen stammen, versucht möglicherweise jemand, auf Ihr Konto zuzugreifen: Ändern Sie Ihr Passwort, sobald die Sperre aufgehoben ist.',
      ],
    },
  },
};

function htmlParagraph(p: string): string {
  if (p === LINK) return `<p><a href="${LINK}">${LINK}</a></p>`;
  if (p === CODE) return `<p><strong>${CODE}</strong></p>`;
  // Placeholders survive escaping (no braces are escaped); their values are escaped when rendering.
  return `<p>${escapeHtml(p)}</p>`;
}

function build(locale: MailLocale, t: DefaultTemplate): MailTemplate {
  return {
    subject: t.subject,
    text: `${t.paragraphs.join('\n\n')}\n`,
    html: [
      '<!DOCTYPE html>',
      `<html lang="${locale}">`,
      '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
      '<body>',
      ...t.paragraphs.map(htmlParagraph),
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  };
}

/** The built-in templates, per key and locale. */
export const DEFAULT_MAIL_TEMPLATES = Object.fromEntries(
  MAIL_TEMPLATE_KEYS.map((key) => [key, Object.fromEntries(MAIL_LOCALES.map((l) => [l, build(l, DEFAULTS[key][l])]))]),
) as Record<MailTemplateKey, Record<MailLocale, MailTemplate>>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The template's variables as strings, checked: all present, and `link` an http(s) URL. */
function checkedValues(key: MailTemplateKey, vars: Record<string, unknown>): Map<string, string> {
  const values = new Map<string, string>();
  for (const name of templateVariables(key)) {
    const v = vars[name];
    if (v === undefined || v === null || v === '') throw new MailRenderError(`${key}: the variable ${name} is missing`);
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
      throw new MailRenderError(`${key}: the variable ${name} must be a string or a number`);
    }
    values.set(name, String(v));
  }
  // A link is the one thing the mail asks the reader to open: `javascript:` or `data:` never gets in.
  const link = values.get('link');
  if (link !== undefined && !isHttpUrl(link)) throw new MailRenderError(`${key}: the variable link must be an http(s) URL`);
  return values;
}

const fill = (template: string, value: (name: string) => string): string => template.replace(PLACEHOLDER, (_, name: string) => value(name.trim()));

/**
 * Renders template `key` in `locale` with `vars`, each field from the tenant's `overrides` when it has
 * one and from the defaults otherwise. Values are HTML-escaped in the HTML part only; placeholders
 * that are not variables of this template render as nothing. Throws `MailRenderError` when a
 * variable is missing or `link` is not an http(s) URL.
 */
export function renderMail<K extends MailTemplateKey>(key: K, locale: MailLocale, vars: MailVars<K>, overrides?: MailTemplateOverrides | null): MailTemplate {
  const values = checkedValues(key, vars as Record<string, unknown>);
  const own = overrides?.[key]?.[locale];
  const source = DEFAULT_MAIL_TEMPLATES[key][locale];
  const pick = (field: MailTemplateField): string => {
    const mine = own?.[field];
    return typeof mine === 'string' && mine ? mine : source[field];
  };
  const plain = (name: string) => values.get(name) ?? '';
  return {
    // A header: a line break from a tenant name or a template must not start a new header line.
    subject: fill(pick('subject'), plain).replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim(),
    text: fill(pick('text'), plain),
    html: fill(pick('html'), (name) => escapeHtml(plain(name))),
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What is wrong with a tenant's template overrides, one sentence each (empty when they are fine):
 * unknown templates, locales, fields or variables, empty or too long fields, and text or HTML bodies
 * that lost the code or link their mail exists for.
 */
export function validateTemplateOverrides(overrides: unknown): string[] {
  if (!isRecord(overrides)) return ['templates must be an object'];
  const problems: string[] = [];
  for (const [key, locales] of Object.entries(overrides)) {
    if (!(MAIL_TEMPLATE_KEYS as readonly string[]).includes(key)) {
      problems.push(`unknown template "${key}" (known: ${MAIL_TEMPLATE_KEYS.join(', ')})`);
      continue;
    }
    const template = key as MailTemplateKey;
    if (!isRecord(locales)) {
      problems.push(`${key}: must be an object of locales`);
      continue;
    }
    for (const [locale, fields] of Object.entries(locales)) {
      if (!(MAIL_LOCALES as readonly string[]).includes(locale)) {
        problems.push(`${key}: unknown locale "${locale}" (known: ${MAIL_LOCALES.join(', ')})`);
        continue;
      }
      if (!isRecord(fields)) {
        problems.push(`${key}.${locale}: must be an object with subject, text and/or html`);
        continue;
      }
      for (const [field, value] of Object.entries(fields)) {
        problems.push(...fieldProblems(template, `${key}.${locale}.${field}`, field, value));
      }
    }
  }
  return problems;
}

function fieldProblems(key: MailTemplateKey, path: string, field: string, value: unknown): string[] {
  if (!(MAIL_TEMPLATE_FIELDS as readonly string[]).includes(field)) return [`${path}: unknown field (known: ${MAIL_TEMPLATE_FIELDS.join(', ')})`];
  if (typeof value !== 'string') return [`${path}: must be a string`];
  if (!value.trim()) return [`${path}: must not be empty (leave it out to use the default)`];
  const problems: string[] = [];
  const max = field === 'subject' ? MAX_SUBJECT_LENGTH : MAX_BODY_LENGTH;
  if (value.length > max) problems.push(`${path}: longer than ${max} characters`);
  if (field === 'subject' && /[\r\n]/.test(value)) problems.push(`${path}: must be a single line`);
  const known = templateVariables(key);
  const used = new Set([...value.matchAll(PLACEHOLDER)].map((m) => m[1].trim()));
  for (const name of used) {
    if (!known.includes(name)) problems.push(`${path}: unknown variable {{${name}}} (known: ${known.map((k) => `{{${k}}}`).join(', ')})`);
  }
  if (field !== 'subject') {
    for (const name of ESSENTIAL_VARS[key]) {
      if (!used.has(name)) problems.push(`${path}: must contain {{${name}}}`);
    }
  }
  return problems;
}
