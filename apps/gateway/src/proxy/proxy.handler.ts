import { PROBLEM_CONTENT_TYPE, PlatformErrorCode, toProblem } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { KeyVerificationUnavailable } from '../auth/api-key.resolver';
import type { ApiKeyResolver } from '../auth/api-key.resolver';
import { KeyCheck, bearerKey } from '../auth/api-key.principal';
import { CorsPolicy, EXPOSED_HEADERS, preflightHeaders } from '../cors/cors.policy';
import type { GatewayMetrics } from '../gateway.metrics';
import { BucketPolicy, RateDecision, RateLimiter } from '../rate-limit/rate-limiter';
import { PROXY_PATTERNS, RouteSpec, UpstreamName, hasDotSegment, matchRoute } from '../routing/route-table';
import { ClientAddress, TrustProxy, clientAddress, rateLimitAddress } from './client-address';
import { upstreamRequestHeaders } from './headers';
import { ExchangeOutcome, ProxyExchange } from './proxy.exchange';
import { sendProblem } from './problem-reply';
import { LimitedBody, STREAMED_HEADERS_TIMEOUT_MS, STREAMED_ROUTES, StreamedRouteConfig } from './streamed-body';
import { CIRCUIT_OPEN, Upstream, UpstreamFailure, classifyUpstreamError } from './upstream';

/** What the authorisation hook established for the handler. */
export interface ProxyContext {
  route: RouteSpec;
  client: ClientAddress;
  principal: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    keyline: ProxyContext | null;
  }
}

export interface RatePolicies {
  key: BucketPolicy;
  ip: BucketPolicy;
  ipKeyed: BucketPolicy;
}

export interface ProxyDeps {
  upstreams: Record<UpstreamName, Upstream>;
  resolver: ApiKeyResolver;
  limiter: RateLimiter;
  cors: CorsPolicy;
  metrics: GatewayMetrics;
  logger: Logger;
  internalToken: string;
  trustProxy: TrustProxy;
  bodyLimit: number;
  /** Limit of the routes whose bodies are streamed through (STREAMED_ROUTES), IMPORT_BODY_LIMIT_BYTES. */
  streamedBodyLimit: number;
  rates: RatePolicies;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const EMPTY = Buffer.alloc(0);
/** Oversized bodies up to this multiple of the limit (and at most MAX_DRAIN_BYTES over it) are drained rather than cut off. */
const DRAIN_FACTOR = 32;
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const BEARER_CHALLENGE = 'Bearer realm="keyline"';
const INVALID_TOKEN_CHALLENGE = 'Bearer realm="keyline", error="invalid_token"';

const FAILURE_DETAIL: Record<UpstreamFailure['reason'], string> = {
  refused: 'The service behind this route is unreachable',
  reset: 'The service behind this route closed the connection',
  timeout: 'The service behind this route did not answer in time',
  circuit_open: 'The service behind this route is unavailable; retry shortly',
  other: 'The service behind this route failed to answer',
};

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> => typeof (v as Promise<T>)?.then === 'function';

/**
 * The gateway's hot path as raw fastify routes: route by prefix, answer CORS, authenticate the API key
 * and rate-limit before the body is read, then pass the request to the owning service over a
 * keep-alive pool and its answer back. Bodies are forwarded as bytes, never parsed.
 */
export class GatewayProxy {
  /** Bucket policies in the order the limiter takes them, built once. */
  private readonly rates: { keyed: readonly BucketPolicy[]; anonymous: readonly BucketPolicy[] };
  /** What an exchange reports back to its upstream's breaker, one per upstream rather than per request. */
  private readonly outcomes: Record<UpstreamName, ExchangeOutcome>;

  constructor(private readonly deps: ProxyDeps) {
    this.rates = { keyed: [deps.rates.key, deps.rates.ipKeyed], anonymous: [deps.rates.ip] };
    const outcomes = {} as Record<UpstreamName, ExchangeOutcome>;
    for (const [name, upstream] of Object.entries(deps.upstreams) as [UpstreamName, Upstream][]) {
      outcomes[name] = {
        answered: () => upstream.succeeded(),
        failed: (err, reply) => this.upstreamFailed(upstream, reply, err),
      };
    }
    this.outcomes = outcomes;
  }

  register(fastify: FastifyInstance): void {
    fastify.decorateRequest('keyline', null);
    // Encapsulated: the catch-all buffer parser and error handler apply to proxy routes only.
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: this.deps.bodyLimit }, (_req, body, done) => done(null, body));
      scope.setErrorHandler((err, req, reply) => {
        const body = toProblem(err, String(req.id));
        if (body.status >= 500) this.deps.logger.error({ err }, 'proxy error');
        void reply.code(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
      });
      // A callback hook, not an async one: the common (synchronous) admission costs no promise.
      scope.addHook('onRequest', (req, reply, done) => {
        let pending: void | Promise<void>;
        try {
          pending = this.admit(req, reply);
        } catch (err) {
          return done(err as Error);
        }
        if (pending) pending.then(() => done(), done);
        else done();
      });
      const handler = (req: FastifyRequest, reply: FastifyReply) => this.forward(req, reply);
      for (const url of PROXY_PATTERNS) scope.route({ method: METHODS, url, handler, exposeHeadRoute: false });
      // Bulk uploads: the body is handed over unread and streamed to the service (forward), after the
      // same admission as every route (the hook above is inherited). Static paths win over `/v1/*`.
      void scope.register(async (streamed) => {
        streamed.removeAllContentTypeParsers();
        streamed.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
        const config: StreamedRouteConfig = { streamedBodyLimit: this.deps.streamedBodyLimit };
        for (const r of STREAMED_ROUTES) streamed.route({ method: r.method, url: r.url, handler, config, exposeHeadRoute: false });
      });
    });
  }

  /**
   * Routing, CORS, authentication and rate limiting; replies early when the request stops here.
   * Synchronous (no promise) when the key is cached and the limiter holds a leased token, which is
   * the common case; each stage continues asynchronously only when it has to wait.
   */
  admit(req: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    const url = req.url;
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = matchRoute(path);
    if (!route) return void sendProblem(reply, PlatformErrorCode.NotFound, 'No such route');
    if (hasDotSegment(path)) return void sendProblem(reply, PlatformErrorCode.BadRequest, 'Paths must not contain dot segments');
    const declared = Number(req.headers['content-length']);
    const limit = req.method === 'POST' ? this.bodyLimitOf(req) : this.deps.bodyLimit;
    if (declared > limit) {
      // Answered before reading: Node then discards the body and keeps the connection, so the client
      // sees the 413 instead of a reset mid-upload. Absurd sizes are not worth reading to the end.
      if (declared > Math.min(limit * DRAIN_FACTOR, limit + MAX_DRAIN_BYTES)) void reply.header('connection', 'close');
      return void sendProblem(reply, PlatformErrorCode.PayloadTooLarge, `Request bodies are limited to ${limit} bytes`);
    }
    const origin = req.headers.origin;
    if (origin) {
      const allowed = this.deps.cors.allows(route, path, origin);
      if (isPromise(allowed)) return allowed.then((ok) => this.admitOrigin(req, reply, route, origin, ok));
      return this.admitOrigin(req, reply, route, origin, allowed);
    }
    return this.authorize(req, reply, route);
  }

  /** The body limit of the request's route: its own for streamed routes, BODY_LIMIT_BYTES otherwise. */
  private bodyLimitOf(req: FastifyRequest): number {
    const config = req.routeOptions.config as Partial<StreamedRouteConfig> | undefined;
    return config?.streamedBodyLimit ?? this.deps.bodyLimit;
  }

  /** CORS for a request with an Origin: answers preflights, marks allowed origins, then authorizes. */
  private admitOrigin(req: FastifyRequest, reply: FastifyReply, route: RouteSpec, origin: string, allowed: boolean): void | Promise<void> {
    const headers = req.headers;
    if (req.method === 'OPTIONS' && headers['access-control-request-method']) {
      const h = headers['access-control-request-headers'];
      if (allowed) void reply.headers(preflightHeaders(origin, Array.isArray(h) ? h.join(',') : h));
      else void reply.header('vary', 'Origin');
      return void reply.code(204).send();
    }
    if (allowed) void reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED_HEADERS);
    void reply.header('vary', 'Origin');
    return this.authorize(req, reply, route);
  }

  /** Authentication (API-key routes) and rate limiting. */
  private authorize(req: FastifyRequest, reply: FastifyReply, route: RouteSpec): void | Promise<void> {
    const headers = req.headers;
    const socket = req.raw.socket;
    const client = clientAddress(socket.remoteAddress, 'encrypted' in socket, headers, this.deps.trustProxy);
    const ip = rateLimitAddress(client.ip);
    if (route.auth !== 'api-key') {
      const taken = this.deps.limiter.take([`kl:rl:ip:${ip}`], this.rates.anonymous);
      if (isPromise(taken)) return taken.then((d) => this.admitted(req, reply, route, client, undefined, d));
      return this.admitted(req, reply, route, client, undefined, taken);
    }
    const key = bearerKey(headers.authorization);
    if (!key) {
      this.deps.metrics.authRejections.inc({ reason: headers.authorization ? 'malformed' : 'missing' });
      return this.unauthorized(reply, headers.authorization ? INVALID_TOKEN_CHALLENGE : BEARER_CHALLENGE, 'Missing or invalid API key');
    }
    const pending = this.deps.resolver.check(key, String(req.id), () => this.admitLookup(ip));
    if (isPromise(pending)) {
      return pending.then(
        (check) => this.authenticated(req, reply, route, client, ip, check),
        (err: unknown) => this.unverifiable(reply, err),
      );
    }
    return this.authenticated(req, reply, route, client, ip, pending);
  }

  private authenticated(
    req: FastifyRequest,
    reply: FastifyReply,
    route: RouteSpec,
    client: ClientAddress,
    ip: string,
    check: KeyCheck,
  ): void | Promise<void> {
    if (!check.valid) {
      if (check.reason === 'throttled') return this.tooManyRequests(reply, 'ip', 1);
      this.deps.metrics.authRejections.inc({ reason: check.reason });
      return this.unauthorized(reply, INVALID_TOKEN_CHALLENGE, 'Missing or invalid API key');
    }
    this.deps.resolver.touch(check.keyId);
    const taken = this.deps.limiter.take([check.bucket, `kl:rl:ipk:${ip}`], this.rates.keyed);
    if (isPromise(taken)) return taken.then((d) => this.admitted(req, reply, route, client, check.principal, d));
    return this.admitted(req, reply, route, client, check.principal, taken);
  }

  /** Neither Redis nor the directory could vouch for the key: 503, never let it through. */
  private unverifiable(reply: FastifyReply, err: unknown): void {
    if (!(err instanceof KeyVerificationUnavailable)) throw err;
    this.deps.metrics.authRejections.inc({ reason: 'unavailable' });
    void reply.header('retry-after', '1');
    sendProblem(reply, PlatformErrorCode.ServiceUnavailable, 'API keys cannot be verified right now; retry shortly');
  }

  /** RateLimit headers, 429 when refused; otherwise records what the handler needs. */
  private admitted(
    req: FastifyRequest,
    reply: FastifyReply,
    route: RouteSpec,
    client: ClientAddress,
    principal: string | undefined,
    decision: RateDecision | undefined,
  ): void {
    if (decision) {
      void reply
        .header('ratelimit-limit', String(decision.limit))
        .header('ratelimit-remaining', String(decision.remaining))
        .header('ratelimit-reset', String(decision.resetSeconds));
      if (!decision.allowed) return this.tooManyRequests(reply, principal ? 'key' : 'ip', decision.retryAfterSeconds);
    }
    req.keyline = { route, client, principal };
  }

  /**
   * Sends the request to the owning service and its answer back to the client. Returns nothing:
   * fastify then waits for the reply the exchange sends.
   */
  forward(req: FastifyRequest, reply: FastifyReply): void {
    const ctx = req.keyline;
    if (!ctx) return void sendProblem(reply, PlatformErrorCode.InternalError, 'An unexpected error occurred');
    const upstream = this.deps.upstreams[ctx.route.upstream];
    if (upstream.isOpen()) {
      this.deps.metrics.upstreamErrors.inc({ upstream: upstream.name, reason: CIRCUIT_OPEN.reason });
      void reply.header('retry-after', String(upstream.retryAfterSeconds()));
      return void sendProblem(reply, CIRCUIT_OPEN.code, FAILURE_DETAIL.circuit_open);
    }
    const headers = upstreamRequestHeaders(req.headers, {
      requestId: String(req.id),
      clientIp: ctx.client.ip,
      proto: ctx.client.proto,
      host: ctx.client.host,
      internalToken: this.deps.internalToken,
      principal: ctx.principal,
      dropAuthorization: ctx.route.auth === 'api-key',
    });
    const method = req.method;
    if (req.body instanceof Readable) return this.forwardStreamed(req, reply, upstream, headers, req.body);
    const bodyless = method === 'GET' || method === 'HEAD';
    const body = bodyless ? undefined : ((req.body as Buffer | undefined) ?? EMPTY);
    const exchange = new ProxyExchange(reply, this.outcomes[ctx.route.upstream], method === 'HEAD', req.headers.origin !== undefined);
    upstream.pool.dispatch({ method: method as Dispatcher.HttpMethod, path: upstream.basePath + req.url, headers, body }, exchange);
  }

  /**
   * A streamed route: the client's body flows to the service as it arrives (backpressure included),
   * counted against the route's limit. Over the limit the upstream request is aborted and the client
   * gets 413; the declared Content-Length is passed on so the service can refuse early too.
   */
  private forwardStreamed(req: FastifyRequest, reply: FastifyReply, upstream: Upstream, headers: Record<string, string | string[]>, source: Readable): void {
    const limit = this.bodyLimitOf(req);
    const body = new LimitedBody(source, limit);
    const declared = req.headers['content-length'];
    if (declared !== undefined) headers['content-length'] = declared;
    const base = this.outcomes[upstream.name];
    const outcome: ExchangeOutcome = {
      answered: () => base.answered(),
      failed: (err, r) => {
        if (!body.exceeded) return base.failed(err, r);
        void r.header('connection', 'close');
        sendProblem(r, PlatformErrorCode.PayloadTooLarge, `Request bodies of this route are limited to ${limit} bytes`);
      },
    };
    const exchange = new ProxyExchange(reply, outcome, false, req.headers.origin !== undefined);
    upstream.pool.dispatch(
      { method: req.method as Dispatcher.HttpMethod, path: upstream.basePath + req.url, headers, body, headersTimeout: STREAMED_HEADERS_TIMEOUT_MS },
      exchange,
    );
  }

  private upstreamFailed(upstream: Upstream, reply: FastifyReply, err: Error): void {
    const failure = classifyUpstreamError(err);
    upstream.failed(failure);
    this.deps.metrics.upstreamErrors.inc({ upstream: upstream.name, reason: failure.reason });
    if (failure.reason === 'other') this.deps.logger.warn({ err, upstream: upstream.name }, 'upstream request failed');
    if (upstream.isOpen()) void reply.header('retry-after', String(upstream.retryAfterSeconds()));
    sendProblem(reply, failure.code, FAILURE_DETAIL[failure.reason]);
  }

  /** Admits a key lookup that has to ask the directory: it counts as an anonymous attempt of the IP. */
  private async admitLookup(ip: string): Promise<boolean> {
    const d = await this.deps.limiter.take([`kl:rl:ip:${ip}`], this.rates.anonymous);
    return !d || d.allowed;
  }

  private unauthorized(reply: FastifyReply, challenge: string, detail: string): void {
    void reply.header('www-authenticate', challenge);
    sendProblem(reply, PlatformErrorCode.Unauthorized, detail);
  }

  private tooManyRequests(reply: FastifyReply, scope: 'key' | 'ip', retryAfter: number): void {
    this.deps.metrics.rateLimited.inc({ scope });
    void reply.header('retry-after', String(retryAfter));
    sendProblem(reply, PlatformErrorCode.RateLimited, 'Too many requests; retry after the number of seconds in Retry-After');
  }
}
