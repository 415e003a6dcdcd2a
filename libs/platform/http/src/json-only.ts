import { PlatformErrorCode, PlatformException } from './problem';
import type { FastifyInstance } from 'fastify';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** JSON media types parsed as JSON besides `application/json`: SCIM (RFC 7644 §3.1) and merge patch (RFC 7396). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/scim+json', 'application/merge-patch+json'] as const;
const ACCEPTED = new Set<string>(JSON_MEDIA_TYPES);

/**
 * The management API speaks JSON only. Fastify (text/plain) and Nest (urlencoded) would otherwise
 * parse other bodies and hand them to the validators, answering 400 or even accepting a form post,
 * where the contract asks for 415. Protocol endpoints that take forms (OAuth token, hosted pages) are
 * exempted by the service through `except`.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance, except: (url: string) => boolean = () => false): void {
  fastify.addContentTypeParser(['application/scim+json', 'application/merge-patch+json'], { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (!WITH_BODY.has(req.method) || except(req.url)) return done();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!hasBody || ACCEPTED.has(type)) return done();
    done(new PlatformException(PlatformErrorCode.UnsupportedMediaType, 'Unsupported content type; send application/json'));
  });
}
