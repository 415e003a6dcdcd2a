import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Optional } from '@nestjs/common';
import { LOGGER, PROBLEM_CONTENT_TYPE, PlatformErrorCode, ProblemBody, toProblem } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SCIM_CONTENT_TYPE, ScimErrorBody, ScimException, ScimType, scimErrorBody } from './scim.exception';

export interface ScimError {
  status: number;
  body: ScimErrorBody;
}

const INTERNAL = 'Internal error';

function scimTypeFor(status: number, code: string): ScimType | undefined {
  if (status === 400) return code === PlatformErrorCode.MalformedJson ? ScimType.invalidSyntax : ScimType.invalidValue;
  if (status === 409) return ScimType.uniqueness;
  return undefined;
}

function fromProblem(problem: Pick<ProblemBody, 'status' | 'code' | 'detail' | 'errors'>, opaque: boolean): ScimError {
  const status = opaque ? 500 : problem.status;
  const errors = problem.errors?.length ? `: ${problem.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}` : '';
  const detail = opaque ? INTERNAL : `${problem.detail}${errors}`;
  return { status, body: scimErrorBody(status, detail, scimTypeFor(status, problem.code)) };
}

/**
 * Turns anything thrown on a SCIM route into an RFC 7644 §3.12 error. Keyline problems and Nest/Fastify
 * HTTP errors keep their status and detail (classified through the platform's `toProblem`); anything
 * else is a 500 whose message is never echoed, because it may carry internals (SQL, hosts, stacks).
 */
export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimException) return { status: err.getStatus(), body: err.toBody() };
  const problem = toProblem(err);
  // toProblem already reduces a 5xx HttpException to its status title; only foreign errors are opaque.
  return fromProblem(problem, !(err instanceof HttpException) && problem.status >= 500);
}

/** The SCIM form of a problem+json body the platform's global filter already wrote. */
export function problemToScimError(problem: Pick<ProblemBody, 'status' | 'code' | 'detail' | 'errors'>): ScimError {
  return fromProblem(problem, problem.code === PlatformErrorCode.InternalError);
}

/** True for a URL with a `scim` path segment, such as `/scim/v2/Users?filter=...`. */
export function isScimUrl(url: string): boolean {
  return /(^|\/)scim(\/|$)/i.test(url.split('?')[0]);
}

/**
 * Bound to SCIM controllers with `@UseFilters(ScimExceptionFilter)`: SCIM clients (Entra ID, Okta)
 * parse only the SCIM error shape, so the platform's problem+json must not reach them. Nest routes
 * errors raised before a controller is chosen (unknown route, body parsing) to global filters only;
 * `scimErrorsForFastify` covers those.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  constructor(@Optional() @Inject(LOGGER) private readonly logger?: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { status, body } = toScimError(exception);
    if (status >= 500) this.logger?.error({ err: exception }, 'unhandled error on a SCIM route');
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(body);
  }
}

/**
 * Rewrites the problem+json errors of SCIM URLs into SCIM errors on their way out: the 400 of a
 * malformed body, the 404 of an unknown resource type, the 413 and 415 of the body checks, which
 * Nest hands to the platform's global ProblemFilter before any controller filter could see them.
 * Pass it as `configureFastify` to bootstrapService.
 */
export function scimErrorsForFastify(fastify: FastifyInstance, isScim: (url: string) => boolean = isScimUrl): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (!isScim(request.url)) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (!type.startsWith(PROBLEM_CONTENT_TYPE) || typeof payload !== 'string') return payload;
    let problem: ProblemBody;
    try {
      problem = JSON.parse(payload) as ProblemBody;
    } catch {
      return payload;
    }
    const { body } = problemToScimError({ ...problem, status: reply.statusCode });
    void reply.header('content-type', SCIM_CONTENT_TYPE);
    return JSON.stringify(body);
  });
}
