import { createHmac, randomBytes } from 'node:crypto';
import { type ReceivedMail, type Res, type SmtpSink, startSmtpSink, waitFor } from '@keyline/platform-testing';
import { type Platform, client, startPlatform, uniqueSlug } from './platform';

export type Call = ReturnType<typeof client>;

/** A tenant of the platform as the authn tests use it: its issuer path and an admin key. */
export interface AuthnTenant {
  id: string;
  slug: string;
  /** Tenant API key with scope `admin`. */
  key: string;
  /** `/t/{slug}`: the issuer's path on the gateway. */
  path: string;
}

/** The flow as the JSON API answers it. */
export interface FlowView {
  id: string;
  kind: string;
  step: string;
  expiresAt: string;
  methods: string[];
  secondFactors?: string[];
  returnTo: string | null;
  session?: { token: string; id: string; expiresAt: string };
  userId?: string;
  totp?: { secret: string; otpauthUri: string; qrCode: string };
  recoveryCodes?: string[];
}

export interface Me {
  profile: { id?: string; email: string | null; emailVerified?: boolean; givenName?: string | null };
  mfa: { totp: boolean; recoveryCodesLeft: number };
  session: { id: string; amr: string[]; acr: string; expiresAt: string };
}

export interface AuditEvent {
  id: string;
  type: string;
  tenantId: string;
  actor: string;
  subject: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The platform with a real SMTP sink wired into authn, and a way to make tenants on it. */
export interface AuthnWorld {
  platform: Platform;
  sink: SmtpSink;
  call: Call;
  /** A new tenant with these authn settings (a `PATCH /v1/authn-settings` body). */
  tenant(prefix: string, settings?: Record<string, unknown>): Promise<AuthnTenant>;
  stop(): Promise<void>;
}

/** Starts the SMTP sink first (authn reads SMTP_URL at boot), then the whole platform. */
export async function startAuthnWorld(label: string): Promise<AuthnWorld> {
  const sink = await startSmtpSink();
  let platform: Platform;
  try {
    platform = await startPlatform(label, { authnEnv: { SMTP_URL: sink.url } });
  } catch (err) {
    await sink.close();
    throw err;
  }
  const call = client(platform.gateway);
  return {
    platform,
    sink,
    call,
    tenant: async (prefix, settings) => {
      const slug = uniqueSlug(prefix);
      const created = await call<{ id: string; slug: string }>('POST', '/v1/tenants', { key: platform.adminKey, json: { slug, name: prefix } });
      if (created.status !== 201) throw new Error(`tenant not created: ${created.status} ${JSON.stringify(created.body)}`);
      const key = await call<{ key: string }>('POST', `/v1/tenants/${slug}/api-keys`, { key: platform.adminKey, json: { name: 'e2e-admin', scopes: ['admin'] } });
      if (key.status !== 201) throw new Error(`tenant key not created: ${key.status} ${JSON.stringify(key.body)}`);
      if (settings) {
        const patched = await call('PATCH', '/v1/authn-settings', { key: key.body.key, json: settings });
        if (patched.status !== 200) throw new Error(`settings not changed: ${patched.status} ${JSON.stringify(patched.body)}`);
      }
      return { id: created.body.id, slug, key: key.body.key, path: `/t/${slug}` };
    },
    stop: async () => {
      await platform?.stop();
      await sink.close();
    },
  };
}

/** The three tenants the authn suites share, each configured to show one kind of behaviour. */
export interface AuthnTenants {
  /** Passwordless on, 3 failures lock for a minute, passwords of 12+ characters, 3 remembered. */
  acme: AuthnTenant;
  /** Every setting at its default (no passwordless). */
  plain: AuthnTenant;
  /** MFA required, by authenticator app only. */
  strict: AuthnTenant;
}

export async function authnTenants(world: AuthnWorld): Promise<AuthnTenants> {
  return {
    acme: await world.tenant('acme', {
      passwordless: { emailCode: true },
      bruteForce: { maxFailures: 3, lockoutMinutes: 1, maxFailuresPerIp: 100_000 },
      mfa: { policy: 'optional' },
      passwordPolicy: { minLength: 12, historySize: 3 },
    }),
    plain: await world.tenant('plain'),
    strict: await world.tenant('strict', { mfa: { policy: 'required', methods: ['totp'] } }),
  };
}

/** A fresh address nobody has used; the local part is random so that no password contains it by chance. */
export const freshEmail = (who = 'user') => `${who}-${randomBytes(5).toString('hex')}@example.com`;

/** A fresh password that passes a policy of minimum length 12 and the common list. */
export const freshPassword = () => `Lantern-${randomBytes(6).toString('base64url')}-Meadow`;

// ---- mail -----------------------------------------------------------------------------------------

/** Subjects of the default (English) templates, to tell mails apart. */
export const SUBJECT = {
  verifyEmail: /^Confirm your email address for /,
  resetPassword: /^Reset your .+ password$/,
  signInCode: /sign-in code$/,
  mfaCode: /security code$/,
  emailChange: /^Confirm your new email address for /,
  passwordChanged: /password was changed$/,
  accountLocked: /account was locked$/,
} as const;

/** The mails to `to` whose subject matches, received so far. */
export const mailsTo = (sink: SmtpSink, to: string, subject: RegExp): ReceivedMail[] =>
  sink.messages.filter((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject));

/**
 * The next mail to `to` with this subject, after the `mailsTo(...).length` seen before (`seen`):
 * mails leave authn in the background, so the test waits for them.
 */
export function nextMail(sink: SmtpSink, to: string, subject: RegExp, seen = 0, timeoutMs = 15_000): Promise<ReceivedMail> {
  return waitFor(() => mailsTo(sink, to, subject)[seen], timeoutMs, 50, `mail "${subject.source}" #${seen + 1} to ${to}`);
}

/** The one-time code of a mail: six digits on a line of their own in the text part. */
export function codeOf(mail: ReceivedMail): string {
  const m = /^\s*(\d{6})\s*$/m.exec(mail.text);
  if (!m) throw new Error(`no code in mail "${mail.subject}":\n${mail.text}`);
  return m[1];
}

/** The token of a reset link in a mail (`.../reset-password?token=...`). */
export function resetTokenOf(mail: ReceivedMail): string {
  const m = /\/reset-password\?token=([A-Za-z0-9_%.~-]+)/.exec(mail.text);
  if (!m) throw new Error(`no reset link in mail "${mail.subject}":\n${mail.text}`);
  return decodeURIComponent(m[1]);
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) ---------------------------------------------

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text.toUpperCase().replace(/[\s=]/g, '')) {
    const d = BASE32.indexOf(c);
    if (d === -1) throw new Error(`not base32: ${text}`);
    value = ((value << 5) | d) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export const totpStep = (atMs = Date.now()) => Math.floor(atMs / 30_000);

/** The code of a base32 secret for one time step. */
export function totpCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A six-digit code that no step near now has: a mistyped authenticator code. */
export function wrongTotp(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(secret, totpStep() + d)));
  let n = 0;
  while (near.has(String(n).padStart(6, '0'))) n++;
  return String(n).padStart(6, '0');
}

/**
 * An authenticator app that remembers which step it last gave out: the server accepts each step once
 * and never one older than the last, within ±1 step of its clock. `next()` gives the code of the
 * following step straight away when that is still within the window, else waits for the clock.
 */
export class Authenticator {
  private lastStep = -1;

  constructor(readonly secret: string) {}

  async next(): Promise<string> {
    for (;;) {
      const step = Math.max(totpStep(), this.lastStep + 1);
      if (step <= totpStep() + 1) {
        this.lastStep = step;
        return totpCode(this.secret, step);
      }
      await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 50));
    }
  }

  /** The code given out last (a replay). */
  last(): string {
    if (this.lastStep < 0) throw new Error('no code given out yet');
    return totpCode(this.secret, this.lastStep);
  }
}

// ---- the JSON API ---------------------------------------------------------------------------------

/** The JSON flow and self-service API of one tenant. */
export class AuthnApi {
  constructor(
    readonly call: Call,
    readonly tenant: AuthnTenant,
    readonly sink: SmtpSink,
  ) {}

  start(kind: 'sign-in' | 'sign-up', body: Record<string, unknown> = {}): Promise<Res<FlowView>> {
    return this.call<FlowView>('POST', `${this.tenant.path}/v1/flows/${kind}`, { json: body });
  }

  submit(flowId: string, body: Record<string, unknown>, token?: string): Promise<Res<FlowView>> {
    return this.call<FlowView>('POST', `${this.tenant.path}/v1/flows/${flowId}`, { json: body, key: token });
  }

  getFlow(flowId: string): Promise<Res<FlowView>> {
    return this.call<FlowView>('GET', `${this.tenant.path}/v1/flows/${flowId}`);
  }

  /** A new sign-in flow with a password submitted: the answer of the password step. */
  async password(identifier: string, password: string): Promise<Res<FlowView>> {
    const flow = await this.start('sign-in');
    if (flow.status !== 201) throw new Error(`sign-in flow not started: ${flow.status} ${JSON.stringify(flow.body)}`);
    return this.submit(flow.body.id, { method: 'password', identifier, password });
  }

  /** Signs in with a password where no second factor is due; the session. */
  async signIn(identifier: string, password: string): Promise<{ token: string; sessionId: string; userId: string }> {
    const res = await this.password(identifier, password);
    if (res.status !== 200 || res.body.step !== 'complete' || !res.body.session) throw new Error(`sign-in did not complete: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.session.token, sessionId: res.body.session.id, userId: res.body.userId as string };
  }

  /** Registers through a sign-up flow and confirms the address with the mailed code; the first session. */
  async signUp(email: string, password: string, profile: Record<string, unknown> = {}): Promise<{ token: string; sessionId: string; userId: string }> {
    const flow = await this.start('sign-up');
    const seen = mailsTo(this.sink, email, SUBJECT.verifyEmail).length;
    const registered = await this.submit(flow.body.id, { method: 'register', email, password, ...profile });
    if (registered.status !== 200 || registered.body.step !== 'verify-email') throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
    const code = codeOf(await nextMail(this.sink, email, SUBJECT.verifyEmail, seen));
    const done = await this.submit(flow.body.id, { method: 'code', code });
    if (done.status !== 200 || !done.body.session) throw new Error(`verification did not complete: ${done.status} ${JSON.stringify(done.body)}`);
    return { token: done.body.session.token, sessionId: done.body.session.id, userId: done.body.userId as string };
  }

  me<T = Me>(token: string | undefined, method = 'GET', path = '', json?: unknown): Promise<Res<T>> {
    return this.call<T>(method, `/v1/me${path}`, { key: token, json });
  }

  /** Sets up an authenticator app through the self-service API; the app and the recovery codes. */
  async enrolTotp(token: string): Promise<{ app: Authenticator; recoveryCodes: string[] }> {
    const begun = await this.me<{ secret: string }>(token, 'POST', '/mfa/totp');
    if (begun.status !== 200) throw new Error(`enrolment not started: ${begun.status} ${JSON.stringify(begun.body)}`);
    const app = new Authenticator(begun.body.secret);
    const confirmed = await this.me<{ recoveryCodes: string[] }>(token, 'POST', '/mfa/totp/verify', { code: await app.next() });
    if (confirmed.status !== 200) throw new Error(`enrolment not confirmed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
    return { app, recoveryCodes: confirmed.body.recoveryCodes };
  }

  /** Every audit event of the tenant whose type starts with `prefix`, oldest first. */
  async auditEvents(prefix = 'authn.'): Promise<AuditEvent[]> {
    const all: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/audit/events?type=${encodeURIComponent(prefix)}&limit=200&order=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await this.call<{ items: AuditEvent[]; nextCursor: string | null }>('GET', q, { key: this.tenant.key });
      if (page.status !== 200) throw new Error(`audit query failed: ${page.status} ${JSON.stringify(page.body)}`);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return all;
  }
}

// ---- hosted pages ---------------------------------------------------------------------------------

/** A hosted page as the browser received it. */
export interface HtmlRes {
  status: number;
  headers: Headers;
  html: string;
  /** The Location of a redirect: path and query when it stays on the platform, else as sent. */
  location: string | null;
  /** Names of the cookies this response set (a cleared cookie is set too). */
  setCookies: { name: string; value: string; attrs: string }[];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
export const decodeHtml = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);

/** The visible text of some HTML, whitespace collapsed. */
export const textOf = (html: string) => decodeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

/** The text of the page's `role="alert"` element, or null when it shows no error. */
export function alertOf(html: string): string | null {
  const m = /<(div|p)[^>]*role="alert"[^>]*>([\s\S]*?)<\/\1>/.exec(html);
  return m ? textOf(m[2]) : null;
}

/** The CSRF token of the page's forms. */
export function csrfOf(html: string): string | null {
  const m = /<input[^>]*name="csrf"[^>]*value="([^"]*)"/.exec(html) ?? /<input[^>]*value="([^"]*)"[^>]*name="csrf"/.exec(html);
  return m ? decodeHtml(m[1]) : null;
}

/**
 * A minimal browser for the hosted pages: a cookie jar (name to value; every cookie of these pages is
 * scoped to the tenant's path), forms posted url-encoded with the CSRF token of the page last shown,
 * redirects not followed. Every HTML answer must carry the strict content security policy.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** The CSRF field of the last page that had forms. */
  csrf: string | null = null;

  constructor(
    readonly gateway: string,
    readonly tenant: AuthnTenant,
  ) {}

  get(path: string): Promise<HtmlRes> {
    return this.request('GET', path);
  }

  /** Posts a form; `csrf: false` leaves the token out, a string replaces it. */
  post(path: string, form: Record<string, string>, opts: { csrf?: false | string; headers?: Record<string, string> } = {}): Promise<HtmlRes> {
    const fields = { ...form };
    if (opts.csrf !== false) {
      const token = opts.csrf ?? this.csrf;
      if (token !== null) fields.csrf = token;
    }
    return this.request('POST', path, new URLSearchParams(fields).toString(), opts.headers);
  }

  /** Follows a 303 with a GET, the way a browser does. */
  async follow(res: HtmlRes): Promise<HtmlRes> {
    if (res.status !== 303 || !res.location?.startsWith('/')) throw new Error(`not a redirect on the platform: ${res.status} ${res.location}\n${textOf(res.html)}`);
    return this.get(res.location);
  }

  private async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HtmlRes> {
    const url = new URL(path.startsWith('/t/') ? path : `${this.tenant.path}${path}`, this.gateway);
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(url, {
      method,
      redirect: 'manual',
      body,
      signal: AbortSignal.timeout(20_000),
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(cookie ? { cookie } : {}),
        'accept-language': 'en',
        ...headers,
      },
    });
    const html = await r.text();
    const setCookies = r.headers.getSetCookie().map((line) => {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      return { name: pair.slice(0, eq).trim(), value: decodeURIComponent(pair.slice(eq + 1).trim()), attrs: attrs.join(';').trim() };
    });
    for (const c of setCookies) {
      const cleared = c.value === '' || /max-age=0\b/i.test(c.attrs) || /expires=Thu, 01 Jan 1970/i.test(c.attrs);
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    if ((r.headers.get('content-type') ?? '').startsWith('text/html')) {
      const csp = r.headers.get('content-security-policy') ?? '';
      if (!/default-src 'none'/.test(csp) || /unsafe-inline|unsafe-eval/.test(csp)) {
        throw new Error(`${method} ${path} answered HTML without the strict content security policy: "${csp}"`);
      }
      const token = csrfOf(html);
      if (token) this.csrf = token;
    }
    const location = r.headers.get('location');
    const target = location ? new URL(location, url) : null;
    const where = target && target.origin === url.origin ? `${target.pathname}${target.search}` : location;
    return { status: r.status, headers: r.headers, html, location: where, setCookies };
  }
}
