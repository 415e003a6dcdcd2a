import { DynamicModule, Module } from '@nestjs/common';
import { AuthnTopics } from '@keyline/authn-contracts';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule, RedisModule } from '@keyline/platform-persistence';
import { authnConfig } from './config';

/**
 * Credentials, MFA, hosted login and the OIDC provider. Its own database (credentials never leave
 * it), Redis for short-lived state (login transactions, rate limits), Kafka through the outbox.
 * Features arrive with the issues that build this context.
 */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof authnConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'authn', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('authn', config, {
          entities: [...messagingEntities],
          migrations: [...messagingMigrations],
        }),
        RedisModule.forRoot(config.redisUrl, 'authn'),
        MessagingModule.forService('authn', config, { topics: Object.values(AuthnTopics), relay: true }),
      ],
    };
  }
}
