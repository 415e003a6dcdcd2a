import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { RedisModule } from '@keyline/platform-persistence';
import { sessionsConfig } from './config';
import { SessionsModule } from './sessions/sessions.module';

/** SSO sessions in Redis, created and resolved by authn through the internal API. */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof sessionsConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'sessions', internalToken: config.internalToken, logger, metrics }),
        RedisModule.forRoot(config.redisUrl, 'sessions'),
        SessionsModule,
      ],
    };
  }
}
