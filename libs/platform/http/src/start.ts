import { DynamicModule } from '@nestjs/common';
import { ConfigError, ConfigOf, ConfigSchema, loadConfig, serviceFields } from '@keyline/platform-config';
import { Logger, Metrics, createLogger } from '@keyline/platform-observability';
import { BootstrapOptions, RunningService, bootstrapService, exitOnSignals } from './bootstrap';

type BaseConfig = ConfigOf<typeof serviceFields> & { port: number };

export interface ServiceRuntime<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
}

export interface StartOptions<S extends ConfigSchema> {
  service: string;
  schema: S;
  module: (rt: ServiceRuntime<ConfigOf<S>>) => DynamicModule;
  openapi?: BootstrapOptions['openapi'];
  bodyLimit?: (config: ConfigOf<S>) => number;
  jsonBodiesOnly?: BootstrapOptions['jsonBodiesOnly'];
  trustProxy?: (config: ConfigOf<S>) => boolean;
  configureFastify?: (rt: ServiceRuntime<ConfigOf<S>>) => BootstrapOptions['configureFastify'];
  env?: NodeJS.ProcessEnv;
}

/** Reads config (exiting with every problem listed if invalid), boots the service and wires signals. */
export async function startService<S extends ConfigSchema>(opts: StartOptions<S>): Promise<RunningService & ServiceRuntime<ConfigOf<S>>> {
  let config: ConfigOf<S>;
  try {
    config = loadConfig(opts.schema, opts.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${opts.service}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const base = config as unknown as BaseConfig;
  const logger = createLogger(opts.service, base.logLevel);
  const metrics = new Metrics(opts.service);
  const rt = { config, logger, metrics };
  // Process warnings become log lines. kafkajs schedules a timer with a negative delay on Node 24
  // (TimeoutNegativeWarning, harmless: Node treats it as 1 ms); that one is dropped.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') logger.warn({ warning: w.name }, w.message);
  });
  try {
    const running = await bootstrapService({
      service: opts.service,
      module: opts.module(rt),
      host: base.host,
      port: base.port,
      logger,
      metrics,
      shutdownTimeoutMs: base.shutdownTimeoutMs,
      bodyLimit: opts.bodyLimit?.(config),
      openapi: opts.openapi,
      jsonBodiesOnly: opts.jsonBodiesOnly,
      trustProxy: opts.trustProxy?.(config),
      configureFastify: opts.configureFastify?.(rt),
    });
    exitOnSignals(running, logger, base.shutdownTimeoutMs);
    return { ...running, ...rt };
  } catch (err) {
    logger.fatal({ err }, `${opts.service} failed to start`);
    logger.flush?.();
    process.exit(1);
  }
}
