import { PlatformErrorCode, PlatformException } from './problem';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** JSON media types parsed as JSON besides `application/json`: SCIM (RFC 7644 §3.1) and merge patch (RFC 7396). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/scim+json', 'application/merge-patch+json'] as const;
const ACCEPTED = new Set<string>(JSON_MEDIA_TYPES);

/** Newline-delimited JSON: one JSON value per line (bulk imports and exports). */
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';

/** Media types a route may take as a raw stream, when it opts in (`StreamedBodyConfig`). */
export const STREAMED_MEDIA_TYPES = [NDJSON_MEDIA_TYPE] as const;
export type StreamedMediaType = (typeof STREAMED_MEDIA_TYPES)[number];
const STREAMED = new Set<string>(STREAMED_MEDIA_TYPES);

/**
 * Fastify route config by which a route takes its body, unparsed and unbuffered, as the raw request
 * stream (`req.body` is a `Readable`) in one of these media types, and nothing else (415). Nest:
 * `@RouteConfig(streamedBody(NDJSON_MEDIA_TYPE))` from `@nestjs/platform-fastify`. The route enforces
 * its own size limit while reading: the service's body limit applies to parsed bodies only.
 */
export interface StreamedBodyConfig {
  streamedBody: readonly StreamedMediaType[];
}

export const streamedBody = (...types: StreamedMediaType[]): StreamedBodyConfig => ({ streamedBody: types });

/** The media types the route of `req` takes as a stream; undefined for JSON-only routes. */
function streamedTypes(req: FastifyRequest): readonly string[] | undefined {
  const config = req.routeOptions?.config as Partial<StreamedBodyConfig> | undefined;
  return config?.streamedBody;
}

/**
 * The management API speaks JSON only. Fastify (text/plain) and Nest (urlencoded) would otherwise
 * parse other bodies and hand them to the validators, answering 400 or even accepting a form post,
 * where the contract asks for 415. Protocol endpoints that take forms (OAuth token, hosted pages) are
 * exempted by the service through `except`; routes that stream a bulk body opt in per route through
 * `StreamedBodyConfig`, and only those routes accept it (every other route still answers 415).
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance, except: (url: string) => boolean = () => false): void {
  fastify.addContentTypeParser(['application/scim+json', 'application/merge-patch+json'], { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  // No parseAs: the parser gets the request stream and hands it over unread. Only routes that opted
  // in get this far with these types (the hook below refuses them everywhere else).
  fastify.addContentTypeParser([...STREAMED_MEDIA_TYPES], (_req, payload, done) => done(null, payload));
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (!WITH_BODY.has(req.method)) return done();
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const streamed = streamedTypes(req);
    if (streamed) {
      if (!hasBody || streamed.includes(type)) return done();
      return done(new PlatformException(PlatformErrorCode.UnsupportedMediaType, `Unsupported content type; send ${streamed.join(' or ')}`));
    }
    // A streamed type reaches only routes that opted in (even without a body, and even on exempt
    // routes): its parser would hand anyone else a raw stream.
    if (STREAMED.has(type)) return done(unsupported());
    if (except(req.url) || !hasBody || ACCEPTED.has(type)) return done();
    done(unsupported());
  });
}

const unsupported = () => new PlatformException(PlatformErrorCode.UnsupportedMediaType, 'Unsupported content type; send application/json');
