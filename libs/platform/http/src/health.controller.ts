import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Metrics } from '@keyline/platform-observability';
import type { FastifyReply } from 'fastify';
import { Public } from './auth.guard';
import { HealthRegistry } from './lifecycle';
import { METRICS } from './tokens';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}

@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
    @Inject(METRICS) private readonly metrics: Metrics,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** 200 when every dependency answers; 503 naming the failing ones otherwise (and while draining). */
  @Get('health/ready')
  async ready(@Res() reply: FastifyReply) {
    if (this.registry.shuttingDown) {
      return reply.code(503).send({ status: 'shutting_down', error: { shutdown: { status: 'down', message: 'draining' } } });
    }
    const checks = this.registry.checks.map((c) => async () => {
      const indicator = this.indicators.check(c.name);
      try {
        await withTimeout(c.check(), CHECK_TIMEOUT_MS);
        return indicator.up();
      } catch (err) {
        const message = (err as Error).message || 'unavailable';
        return c.critical === false ? indicator.up({ degraded: true, message }) : indicator.down({ message });
      }
    });
    try {
      return reply.code(200).send(await this.health.check(checks));
    } catch (err) {
      const body = (err as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error' };
      return reply.code(503).send(body);
    }
  }

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async scrape(@Res() reply: FastifyReply) {
    const { contentType, body } = await this.metrics.render();
    return reply.header('content-type', contentType).send(body);
  }
}
