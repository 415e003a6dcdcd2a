import type { FastifyRequest } from 'fastify';
import type { RequestContext } from './flow.types';

/** Client address (the gateway's X-Forwarded-For, trusted), user agent and preferred locale of a request. */
export function requestContext(req: FastifyRequest, locale?: string | null): RequestContext {
  const ua = req.headers['user-agent'];
  return {
    ip: req.ip ?? null,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    locale: locale ?? (typeof req.headers['accept-language'] === 'string' ? req.headers['accept-language'].split(',')[0].split(';')[0].trim() || null : null),
  };
}

/** The bearer token of a request, if it has one. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}
