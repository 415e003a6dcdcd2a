import 'reflect-metadata';
import { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger, Metrics, TRACE_HEADER, runWithContext, traceIdFrom } from '@keyline/platform-observability';
import type { FastifyInstance } from 'fastify';
import { acceptJsonBodiesOnly } from './json-only';
import { HealthRegistry } from './lifecycle';

export interface BootstrapOptions {
  service: string;
  module: Type<unknown> | import('@nestjs/common').DynamicModule;
  host: string;
  port: number;
  logger: Logger;
  metrics: Metrics;
  shutdownTimeoutMs: number;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  openapi?: { title: string; description: string };
  /**
   * Whether X-Forwarded-* headers are believed (default true: services sit behind the gateway, which
   * sets them). The public gateway passes its own TRUST_PROXY setting.
   */
  trustProxy?: boolean;
  /** JSON-only request bodies (415 otherwise), except for URLs this returns true for; `false` turns it off. */
  jsonBodiesOnly?: false | { except: (url: string) => boolean };
  /** Raw fastify hooks (the gateway's proxy) before Nest routes are registered. */
  configureFastify?: (fastify: FastifyInstance) => void | Promise<void>;
}

export interface RunningService {
  app: NestFastifyApplication;
  url: string;
  openapi?: OpenAPIObject;
  shutdown: (signal?: string) => Promise<void>;
}

/** Nest's own log lines go through pino as structured JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/** Wires request ids, logging context and latency metrics into a fastify instance. */
export function instrument(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const traceId = String(req.id);
    void reply.header(TRACE_HEADER, traceId);
    runWithContext({ traceId }, done);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

export async function bootstrapService(opts: BootstrapOptions): Promise<RunningService> {
  const adapter = new FastifyAdapter({
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    trustProxy: opts.trustProxy ?? true,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestIdHeader: TRACE_HEADER,
    genReqId: (req: import('node:http').IncomingMessage) => traceIdFrom(req.headers[TRACE_HEADER]),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    keepAliveTimeout: 65_000,
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  instrument(fastify, opts.metrics);
  if (opts.jsonBodiesOnly !== false) acceptJsonBodiesOnly(fastify, opts.jsonBodiesOnly?.except);
  if (opts.configureFastify) await opts.configureFastify(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(opts.module, adapter, {
    logger: new PinoNestLogger(opts.logger),
    abortOnError: false,
  });
  let openapi: OpenAPIObject | undefined;
  if (opts.openapi) {
    const config = new DocumentBuilder()
      .setTitle(opts.openapi.title)
      .setDescription(opts.openapi.description)
      .setVersion('1.0.0')
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Keyline API key (kl_...)' }, 'apiKey')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: "An end user's session token (kls_...) from a finished sign-in flow" }, 'sessionToken')
      .build();
    openapi = SwaggerModule.createDocument(app, config);
    const doc = openapi;
    fastify.get('/openapi.json', (_req, reply) => {
      void reply.send(doc);
    });
  }

  await app.init();
  await app.listen(opts.port, opts.host);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host}:${port}`;
  opts.logger.info({ url }, `${opts.service} listening`);

  const registry = app.get(HealthRegistry);
  let closing: Promise<void> | undefined;
  const shutdown = (signal?: string): Promise<void> => {
    if (closing) return closing;
    registry.shuttingDown = true;
    opts.logger.info({ signal }, `${opts.service} shutting down`);
    // app.close(): stops accepting, waits for in-flight requests, then runs the shutdown steps
    // (consumers, outbox flush, Kafka, stores) in order.
    closing = app.close();
    return closing;
  };
  return { app, url, openapi, shutdown };
}

/** SIGTERM/SIGINT drain the service and exit; a hard deadline guarantees exit within the grace period. */
export function exitOnSignals(service: RunningService, logger: Logger, timeoutMs: number): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const deadline = setTimeout(() => {
      logger.error({ signal }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    service.shutdown(signal).then(
      () => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
