/** What a test sees of an HTTP answer: status, headers, the body parsed as JSON when it is JSON. */
export interface Res<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  /** Milliseconds from request to the full body. */
  ms: number;
}

export interface HttpCallOptions {
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  body?: string | Buffer;
  contentType?: string;
  signal?: AbortSignal;
}

/** One HTTP call for tests (fetch with a 20 s default timeout). */
export async function httpCall<T = Record<string, unknown>>(base: string, method: string, path: string, opts: HttpCallOptions = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (opts.contentType) headers['content-type'] = opts.contentType;
  const t0 = performance.now();
  const r = await fetch(base + path, { method, headers, body, signal: opts.signal ?? AbortSignal.timeout(20_000) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: r.status, headers: r.headers, body: parsed as T, ms: performance.now() - t0 };
}

/** A gateway client: `key` becomes `Authorization: Bearer <key>`. */
export function apiClient(base: string) {
  return <T = Record<string, unknown>>(method: string, path: string, opts: HttpCallOptions & { key?: string } = {}): Promise<Res<T>> => {
    const { key, ...rest } = opts;
    return httpCall<T>(base, method, path, key ? { ...rest, headers: { ...rest.headers, authorization: `Bearer ${key}` } } : rest);
  };
}

export type Problem = { type: string; title: string; status: number; detail: string; code: string; errors?: { field: string; message: string }[] };

/** Asserts an RFC 9457 problem with this status (and code), never carrying a stack trace, and returns it. */
export function expectProblem(res: Pick<Res<unknown>, 'status' | 'headers' | 'body'>, status: number, code?: string): Problem {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  const p = res.body as Problem;
  expect(p).toEqual(expect.objectContaining({ status, type: expect.any(String), title: expect.any(String), code: expect.any(String) }));
  if (code) expect(p.code).toBe(code);
  expect(JSON.stringify(p)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  return p;
}
