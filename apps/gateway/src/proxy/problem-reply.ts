import { PLATFORM_ERROR_STATUS, PROBLEM_CONTENT_TYPE, PlatformErrorCode, problemTitle, problemType } from '@keyline/platform-http';
import type { FastifyReply } from 'fastify';

/**
 * RFC 9457 body of a gateway-made error, built without an exception object: 401 and 429 are answered
 * at flood rates and must stay cheap.
 */
export function problemBody(code: PlatformErrorCode, detail: string, traceId: string): string {
  const status = PLATFORM_ERROR_STATUS[code];
  return JSON.stringify({ type: problemType(code), title: problemTitle(status), status, detail, code, traceId });
}

export function sendProblem(reply: FastifyReply, code: PlatformErrorCode, detail: string): FastifyReply {
  return reply
    .code(PLATFORM_ERROR_STATUS[code])
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header('cache-control', 'no-store')
    .send(problemBody(code, detail, String(reply.request.id)));
}
