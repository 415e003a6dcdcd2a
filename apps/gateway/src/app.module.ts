import { DynamicModule, Module } from '@nestjs/common';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import type { GatewayConfig } from './config';
import { GATEWAY_RUNTIME, GatewayLifecycle } from './gateway.lifecycle';
import { GatewayRuntime } from './gateway.runtime';
import { DocsController, OPENAPI_AGGREGATOR } from './openapi/docs.controller';

/**
 * The public entry of the platform. The proxy itself is raw fastify (see GatewayRuntime); Nest brings
 * health, metrics, the merged OpenAPI document with its UI, and orderly shutdown.
 */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<GatewayConfig>, runtime: GatewayRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformHttpModule.forRoot({ service: 'gateway', internalToken: config.internalToken, logger, metrics })],
      controllers: [DocsController],
      providers: [
        { provide: GATEWAY_RUNTIME, useValue: runtime },
        { provide: OPENAPI_AGGREGATOR, useValue: runtime.openapi },
        GatewayLifecycle,
      ],
    };
  }
}
