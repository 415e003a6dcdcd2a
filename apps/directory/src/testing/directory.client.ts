import { INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, Principal, encodePrincipal } from '@keyline/platform-http';
import { Res, httpCall } from '@keyline/platform-testing';

export { expectProblem } from '@keyline/platform-testing';
export type { Problem, Res } from '@keyline/platform-testing';

export interface CallOptions {
  /** The caller as the gateway would forward it; omitted: no principal header. */
  as?: Principal;
  json?: unknown;
  body?: string;
  contentType?: string;
  /** Internal token to send; defaults to the right one, `null` sends none. */
  token?: string | null;
  /** Further request headers (If-Match, ...). */
  headers?: Record<string, string>;
}

/** Calls a directory process directly, the way the gateway does (internal token + principal header). */
export function directoryClient(base: string, internalToken: string) {
  return function call<T = Record<string, unknown>>(method: string, path: string, opts: CallOptions = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? internalToken : opts.token;
    if (token !== null) headers[INTERNAL_TOKEN_HEADER] = token;
    if (opts.as) headers[PRINCIPAL_HEADER] = encodePrincipal(opts.as);
    return httpCall<T>(base, method, path, { headers, json: opts.json, body: opts.body, contentType: opts.contentType });
  };
}
