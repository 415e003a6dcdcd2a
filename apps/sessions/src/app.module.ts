import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { RedisModule } from '@keyline/platform-persistence';
import { sessionsConfig } from './config';

/** SSO sessions in Redis. The session model and APIs arrive with the sessions issue. */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof sessionsConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'sessions', internalToken: config.internalToken, logger, metrics }),
        RedisModule.forRoot(config.redisUrl, 'sessions'),
      ],
    };
  }
}
