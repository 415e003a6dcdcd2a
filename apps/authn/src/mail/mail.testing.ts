import { PlatformHttpModule } from '@keyline/platform-http';
import { Logger, Metrics } from '@keyline/platform-observability';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { MailModule, MailModuleOptions } from './mail.module';

export type LogLine = { level: string; obj: Record<string, unknown>; msg: string };

/** A logger that keeps what it is given, for asserting what reaches the logs (and what never does). */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg = '') => {
      lines.push(typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj: obj as Record<string, unknown>, msg });
    };
  const logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
  return { logger: logger as unknown as Logger, lines };
}

export type MailApp = { app: NestFastifyApplication; get(path: string): Promise<Response> };

/**
 * authn's HTTP platform (gateway trust, problem errors) and the mail module in one Fastify app on a
 * free loopback port. Not `app.inject`: its light-my-request needs the ESM-only `cookie` package,
 * which jest (transforming only @nestjs) cannot load.
 */
export async function bootMailApp(opts: MailModuleOptions, logger = recordingLogger().logger): Promise<MailApp> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformHttpModule.forRoot({ service: 'authn', internalToken: 'internal-token-for-tests', logger, metrics: new Metrics('authn') }),
      MailModule.forRoot(opts),
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  return { app, get: (path) => fetch(base + path, { redirect: 'manual' }) };
}
