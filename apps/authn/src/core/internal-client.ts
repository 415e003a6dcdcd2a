import { PlatformErrorCode, PlatformException, INTERNAL_TOKEN_HEADER } from '@keyline/platform-http';
import { AuthnErrorCode, AuthnException } from './authn.exception';

export interface InternalResponse<T> {
  status: number;
  body: T;
}

interface ProblemLike {
  code?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/**
 * JSON over HTTP to another Keyline service's internal API, with the internal token and a bounded
 * wait. An unreachable or failing service becomes a 503 problem for our caller, never a hang or a 500.
 */
export class InternalClient {
  constructor(
    private readonly service: string,
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 3000,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<InternalResponse<T>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { [INTERNAL_TOKEN_HEADER]: this.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw this.unavailable();
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500) throw this.unavailable();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw this.unavailable();
      }
    }
    return { status: res.status, body: parsed as T };
  }

  /** The body of a 2xx answer; 4xx answers become the matching problem for our caller. */
  async expect<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status < 300) return res.body;
    throw InternalClient.problemOf(res as InternalResponse<unknown>);
  }

  static problemOf(res: InternalResponse<unknown>): PlatformException | AuthnException {
    const p = (res.body ?? {}) as ProblemLike;
    if (res.status === 400) return new PlatformException(PlatformErrorCode.ValidationFailed, p.detail ?? 'The request is invalid', p.errors);
    if (res.status === 409 && p.code === 'email_taken') return new AuthnException(AuthnErrorCode.EmailTaken, 'This email address is already registered');
    if (res.status === 404) return new AuthnException(AuthnErrorCode.UserNotFound, p.detail ?? 'Not found');
    return new PlatformException(PlatformErrorCode.Conflict, p.detail ?? 'The request conflicts with the current state');
  }

  private unavailable(): AuthnException {
    return new AuthnException(AuthnErrorCode.DependencyUnavailable, `The ${this.service} service is unavailable; try again`);
  }
}
