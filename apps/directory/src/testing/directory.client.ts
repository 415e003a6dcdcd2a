import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, encodePrincipal } from '@keyline/platform-http';

export interface Res<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  /** The caller as the gateway would forward it; omitted: no principal header. */
  as?: Principal;
  json?: unknown;
  body?: string;
  contentType?: string;
  /** Internal token to send; defaults to the right one, `null` sends none. */
  token?: string | null;
}

/** Calls a directory process directly, the way the gateway does (internal token + principal header). */
export function directoryClient(base: string, internalToken: string) {
  return async function call<T = Record<string, unknown>>(method: string, path: string, opts: CallOptions = {}): Promise<Res<T>> {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? internalToken : opts.token;
    if (token !== null) headers[INTERNAL_TOKEN_HEADER] = token;
    if (opts.as) headers[PRINCIPAL_HEADER] = encodePrincipal(opts.as);
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    if (opts.contentType) headers['content-type'] = opts.contentType;
    const r = await fetch(base + path, { method, headers, body });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: r.status, headers: r.headers, body: parsed as T };
  };
}

export type Problem = { type: string; title: string; status: number; detail: string; code: string; errors?: { field: string; message: string }[] };

/** Asserts an RFC 9457 problem with this status (and code) and returns it. */
export function expectProblem(res: Res<unknown>, status: number, code?: string): Problem {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  const p = res.body as Problem;
  expect(p).toEqual(expect.objectContaining({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) }));
  if (code) expect(p.code).toBe(code);
  return p;
}
