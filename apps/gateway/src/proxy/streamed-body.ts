import { Readable, Transform, TransformCallback } from 'node:stream';

/**
 * Routes whose request bodies are streamed to the owning service instead of buffered at the gateway:
 * bulk uploads, far larger than BODY_LIMIT_BYTES. Each has its own limit (IMPORT_BODY_LIMIT_BYTES).
 */
export const STREAMED_ROUTES = [{ method: 'POST', url: '/v1/users/imports' }] as const;

/** Fastify route config of a streamed route: its body limit in bytes. */
export interface StreamedRouteConfig {
  streamedBodyLimit: number;
}

/**
 * How long the service has to answer a streamed request. Undici's headers timeout runs from the start
 * of the request (it is refreshed only when the socket pushes back), so an upload that takes minutes
 * from a slow client would otherwise end in a 504 while bytes are still flowing.
 */
export const STREAMED_HEADERS_TIMEOUT_MS = 30 * 60_000;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/**
 * Passes a client's body through to the upstream request while counting it. Over the limit it stops
 * reading the client (without destroying its socket, so the 413 can still be answered) and fails
 * itself, which aborts the upstream request. A client that goes away mid-upload aborts it too.
 */
export class LimitedBody extends Transform {
  private seen = 0;
  exceeded = false;

  constructor(
    private readonly source: Readable,
    readonly limit: number,
  ) {
    super();
    const broken = () => {
      if (!source.readableEnded && !this.destroyed) this.destroy(new Error('the client broke off the upload'));
    };
    source.once('error', broken);
    source.once('close', broken);
    source.pipe(this);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      this.source.unpipe(this);
      this.source.pause();
      return done(new BodyTooLarge(this.limit));
    }
    done(null, chunk);
  }
}
