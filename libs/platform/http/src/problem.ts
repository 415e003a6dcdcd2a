import { HttpException, HttpStatus } from '@nestjs/common';

/** A field-level validation problem (RFC 9457 extension member `errors`). */
export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details as every Keyline management API answers errors. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  traceId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Codes any service can answer, independent of its context. */
export enum PlatformErrorCode {
  ValidationFailed = 'validation_failed',
  MalformedJson = 'malformed_json',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  NotFound = 'not_found',
  MethodNotAllowed = 'method_not_allowed',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  InsufficientScope = 'insufficient_scope',
  TenantRequired = 'tenant_required',
  RateLimited = 'rate_limited',
  Conflict = 'conflict',
  BadRequest = 'bad_request',
  InternalError = 'internal_error',
  BadGateway = 'bad_gateway',
  ServiceUnavailable = 'service_unavailable',
  GatewayTimeout = 'gateway_timeout',
}

export const PLATFORM_ERROR_STATUS = {
  [PlatformErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [PlatformErrorCode.MalformedJson]: HttpStatus.BAD_REQUEST,
  [PlatformErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [PlatformErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [PlatformErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [PlatformErrorCode.MethodNotAllowed]: HttpStatus.METHOD_NOT_ALLOWED,
  [PlatformErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [PlatformErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [PlatformErrorCode.InsufficientScope]: HttpStatus.FORBIDDEN,
  [PlatformErrorCode.TenantRequired]: HttpStatus.FORBIDDEN,
  [PlatformErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [PlatformErrorCode.Conflict]: HttpStatus.CONFLICT,
  [PlatformErrorCode.BadRequest]: HttpStatus.BAD_REQUEST,
  [PlatformErrorCode.InternalError]: HttpStatus.INTERNAL_SERVER_ERROR,
  [PlatformErrorCode.BadGateway]: HttpStatus.BAD_GATEWAY,
  [PlatformErrorCode.ServiceUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [PlatformErrorCode.GatewayTimeout]: HttpStatus.GATEWAY_TIMEOUT,
} satisfies Record<PlatformErrorCode, HttpStatus>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The `type` URI of a problem code; docs/errors.md lists every code. */
export function problemType(code: string): string {
  return `urn:keyline:problem:${code}`;
}

/**
 * Base of every context's exception: a status, a stable code and a human detail. Contexts subclass
 * it with their own code enum and a `Record<Code, HttpStatus>` checked with `satisfies`.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  toBody(traceId?: string): ProblemBody {
    const status = this.getStatus();
    return {
      type: problemType(this.code),
      title: problemTitle(status),
      status,
      detail: this.detail,
      code: this.code,
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...this.extensions,
      ...(traceId ? { traceId } : {}),
    };
  }
}

/** Platform-level problem (validation, auth, transport). */
export class PlatformException extends ProblemException {
  constructor(code: PlatformErrorCode, detail: string, errors?: FieldError[], extensions?: Record<string, unknown>) {
    super(PLATFORM_ERROR_STATUS[code], code, detail, errors, extensions);
  }
}

function codeForStatus(status: number): PlatformErrorCode {
  const found = (Object.entries(PLATFORM_ERROR_STATUS) as [PlatformErrorCode, number][]).find(([, s]) => s === status);
  return found ? found[0] : status >= 500 ? PlatformErrorCode.InternalError : PlatformErrorCode.BadRequest;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Turns anything thrown into a problem body. Only known client errors keep their message; anything
 * else becomes a generic 500 so that no stack trace or internal detail ever leaks.
 */
export function toProblem(err: unknown, traceId?: string): ProblemBody {
  if (err instanceof ProblemException) return err.toBody(traceId);
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = codeForStatus(status);
    const response = err.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? String((response as { message: unknown }).message)
        : err.message;
    if (status === 400 && /not valid JSON|Unexpected token|JSON at position/i.test(message)) {
      return new PlatformException(PlatformErrorCode.MalformedJson, 'Request body is not valid JSON').toBody(traceId);
    }
    return new PlatformException(code, status >= 500 ? problemTitle(status) : message).toBody(traceId);
  }
  const fe = err as FastifyLikeError;
  if (fe && typeof fe === 'object' && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new PlatformException(PlatformErrorCode.UnsupportedMediaType, 'Unsupported content type; send application/json').toBody(traceId);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new PlatformException(PlatformErrorCode.PayloadTooLarge, 'Request body is too large').toBody(traceId);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return new PlatformException(PlatformErrorCode.MalformedJson, 'Request body is not valid JSON').toBody(traceId);
      default:
        if (fe.statusCode === 400 && /json/i.test(fe.message ?? '')) {
          return new PlatformException(PlatformErrorCode.MalformedJson, 'Request body is not valid JSON').toBody(traceId);
        }
        return new PlatformException(codeForStatus(fe.statusCode), fe.message ?? problemTitle(fe.statusCode)).toBody(traceId);
    }
  }
  return new PlatformException(PlatformErrorCode.InternalError, 'An unexpected error occurred').toBody(traceId);
}
