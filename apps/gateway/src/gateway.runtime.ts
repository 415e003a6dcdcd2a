import { API_KEY_REVOKED_CHANNEL } from '@keyline/directory-contracts';
import type { ServiceRuntime } from '@keyline/platform-http';
import type { Logger } from '@keyline/platform-observability';
import type { FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import { ApiKeyCache } from './auth/api-key.cache';
import { ApiKeyResolver } from './auth/api-key.resolver';
import { DirectoryKeyClient } from './auth/directory-key.client';
import type { GatewayConfig } from './config';
import { CorsPolicy } from './cors/cors.policy';
import { GatewayMetrics } from './gateway.metrics';
import { OpenApiAggregator } from './openapi/openapi.aggregator';
import { GatewayProxy } from './proxy/proxy.handler';
import { Upstream } from './proxy/upstream';
import { RateLimiter } from './rate-limit/rate-limiter';
import { UpstreamName } from './routing/route-table';
import { securityHeaders } from './security/security-headers';

/** Redis answers in well under a millisecond; anything slower is treated as unavailable. */
const REDIS_COMMAND_TIMEOUT_MS = 500;

/** QUIT when connected; a client still trying to connect would queue QUIT forever, so it is cut. */
async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}

/**
 * The gateway's long-lived parts, built once at boot and shared by the raw fastify proxy routes
 * (registered before Nest) and the Nest module (health, docs, shutdown).
 */
export class GatewayRuntime {
  readonly redis: Redis;
  readonly subscriber: Redis;
  readonly upstreams: Record<UpstreamName, Upstream>;
  readonly resolver: ApiKeyResolver;
  readonly openapi: OpenApiAggregator;
  readonly proxy: GatewayProxy;
  private readonly logger: Logger;
  private readonly securityHeaders: Readonly<Record<string, string>>;

  constructor({ config, logger, metrics }: ServiceRuntime<GatewayConfig>) {
    this.logger = logger;
    this.securityHeaders = securityHeaders(config.publicUrl);
    const gatewayMetrics = new GatewayMetrics(metrics);

    // Hot-path client: fails fast instead of queueing while Redis is away, pipelines concurrent calls.
    this.redis = new Redis(config.redisUrl, {
      connectionName: 'keyline-gateway',
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    this.redis.on('error', () => undefined);

    const upstreamOpts = { connections: config.upstreamConnections, timeoutMs: config.upstreamTimeoutMs };
    this.upstreams = {
      directory: new Upstream('directory', config.directoryUrl, upstreamOpts),
      authn: new Upstream('authn', config.authnUrl, upstreamOpts),
      consent: new Upstream('consent', config.consentUrl, upstreamOpts),
      sessions: new Upstream('sessions', config.sessionsUrl, upstreamOpts),
      audit: new Upstream('audit', config.auditUrl, upstreamOpts),
    };

    this.resolver = new ApiKeyResolver(
      new ApiKeyCache(config.apiKeyCacheSize, config.apiKeyCacheTtlMs),
      this.redis,
      new DirectoryKeyClient(this.upstreams.directory, config.internalToken),
      gatewayMetrics,
    );

    // Revocations: the directory publishes the key hash; every gateway forgets it at once.
    this.subscriber = new Redis(config.redisUrl, {
      connectionName: 'keyline-gateway-revocations',
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, hash: string) => this.resolver.evict(hash));
    // Messages published while disconnected are lost: start from an empty cache after every (re)connect.
    this.subscriber.on('ready', () => this.resolver.evictAll());
    void this.subscriber.subscribe(API_KEY_REVOKED_CHANNEL).catch((err: Error) => logger.error({ err }, 'cannot subscribe to revocations'));

    this.proxy = new GatewayProxy({
      upstreams: this.upstreams,
      resolver: this.resolver,
      limiter: new RateLimiter(this.redis, logger, () => gatewayMetrics.rateLimiterUnavailable.inc()),
      cors: new CorsPolicy(config.corsOrigins, this.redis),
      metrics: gatewayMetrics,
      logger,
      internalToken: config.internalToken,
      trustProxy: config.trustProxy,
      bodyLimit: config.bodyLimitBytes,
      streamedBodyLimit: config.importBodyLimitBytes,
      rates: {
        key: { ratePerSecond: config.rateLimitKeyPerSecond, burst: config.rateLimitKeyBurst },
        ip: { ratePerSecond: config.rateLimitIpPerSecond, burst: config.rateLimitIpBurst },
        ipKeyed: { ratePerSecond: config.rateLimitIpKeyedPerSecond, burst: config.rateLimitIpKeyedBurst },
      },
    });
    this.openapi = new OpenApiAggregator(this.upstreams, config.publicUrl, logger);
  }

  /** Raw fastify wiring (startService's configureFastify): security headers everywhere, then the proxy. */
  configureFastify(fastify: FastifyInstance): void {
    const headers = this.securityHeaders;
    fastify.addHook('onRequest', (_req, reply, done) => {
      void reply.headers(headers);
      done();
    });
    this.proxy.register(fastify);
  }

  /** Waits (bounded) for Redis so the first requests do not all miss it; readiness reports the rest. */
  async start(): Promise<void> {
    this.openapi.start();
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.openapi.stop();
    await Promise.all(Object.values(this.upstreams).map((u) => u.close()));
    await Promise.all([this.subscriber, this.redis].map(closeRedis));
    this.logger.debug('gateway runtime stopped');
  }
}
