import { ArgumentsHost, Catch, DynamicModule, ExceptionFilter, Global, Inject, Module, ValidationError, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger, Metrics } from '@keyline/platform-observability';
import { currentTraceId } from '@keyline/platform-observability';
import type { FastifyReply } from 'fastify';
import { InternalAuthGuard } from './auth.guard';
import { HealthController } from './health.controller';
import { HealthRegistry, ShutdownCoordinator } from './lifecycle';
import { FieldError, PROBLEM_CONTENT_TYPE, PlatformErrorCode, PlatformException, toProblem } from './problem';
import { LOGGER, METRICS, SERVICE_NAME } from './tokens';

export interface PlatformHttpOptions {
  service: string;
  internalToken: string;
  logger: Logger;
  metrics: Metrics;
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.startsWith('property ') && message.endsWith(' should not exist') ? 'unknown field' : message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** One filter per service: everything thrown becomes RFC 9457 problem+json; 5xx are logged, never echoed. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toProblem(exception, currentTraceId());
    if (body.status >= 500) this.logger.error({ err: exception }, 'unhandled error');
    void reply.code(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}

export const validationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) =>
      new PlatformException(PlatformErrorCode.ValidationFailed, 'The request is invalid', flatten(errors)),
  });

/** Health, metrics, problem errors, validation and gateway-trust for every Keyline service. */
@Global()
@Module({})
export class PlatformHttpModule {
  static forRoot(opts: PlatformHttpOptions): DynamicModule {
    return {
      module: PlatformHttpModule,
      imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        HealthRegistry,
        ShutdownCoordinator,
        { provide: LOGGER, useValue: opts.logger },
        { provide: METRICS, useValue: opts.metrics },
        { provide: SERVICE_NAME, useValue: opts.service },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: validationPipe },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new InternalAuthGuard(reflector, opts.internalToken),
          inject: [Reflector],
        },
      ],
      exports: [HealthRegistry, ShutdownCoordinator, LOGGER, METRICS, SERVICE_NAME],
    };
  }
}
