import { randomBytes, timingSafeEqual } from 'node:crypto';
import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Strict policy of every hosted page: no script at all, styles and form posts only from us. */
export const HOSTED_CSP = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const FLOW_COOKIE = 'kl_flow';
export const SESSION_COOKIE = 'kl_session';
export const CSRF_COOKIE = 'kl_csrf';

export function sendPage(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', HOSTED_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    // Reset links carry their token in the URL: it must not leak through Referer.
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(body);
}

export function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.status(303).header('location', location).header('cache-control', 'no-store').send();
}

export interface CookieOptions {
  path: string;
  secure: boolean;
  maxAgeSeconds?: number;
}

export function setCookie(reply: FastifyReply, name: string, value: string, o: CookieOptions): void {
  reply.setCookie(name, value, { path: o.path, httpOnly: true, sameSite: 'lax', secure: o.secure, ...(o.maxAgeSeconds !== undefined ? { maxAge: o.maxAgeSeconds } : {}) });
}

export function clearCookie(reply: FastifyReply, name: string, o: CookieOptions): void {
  reply.clearCookie(name, { path: o.path, httpOnly: true, sameSite: 'lax', secure: o.secure });
}

export const cookieOf = (req: FastifyRequest, name: string): string | undefined => (req.cookies as Record<string, string | undefined> | undefined)?.[name];

/** The double-submit CSRF token of this browser, set once per tenant path. */
export function csrfToken(req: FastifyRequest, reply: FastifyReply, o: CookieOptions): string {
  const existing = cookieOf(req, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  setCookie(reply, CSRF_COOKIE, token, o);
  return token;
}

/**
 * A form post is ours when its `csrf` field equals the browser's CSRF cookie (which other sites can
 * neither read nor set) and, where the browser says where it comes from, the origin is ours too.
 */
export function csrfOk(req: FastifyRequest, form: Record<string, string>, publicOrigin: string): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null' && origin !== publicOrigin) return false;
  const cookie = cookieOf(req, CSRF_COOKIE);
  const field = form.csrf;
  if (!cookie || typeof field !== 'string' || cookie.length !== field.length) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}

/** Form fields as strings (urlencoded bodies; repeated names keep the last value). */
export function formOf(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string' && value.length <= 8192) out[k] = value;
  }
  return out;
}

/** A same-site path to continue to after sign-in; anything else (other hosts, `//x`, `/\x`) is dropped. */
export function safeReturnTo(value: unknown, basePath: string): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return null;
  return value.startsWith('/') ? value : basePath;
}
