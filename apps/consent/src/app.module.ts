import { DynamicModule, Module } from '@nestjs/common';
import { ConsentTopics } from '@keyline/consent-contracts';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule } from '@keyline/platform-persistence';
import { consentConfig } from './config';

/**
 * Purposes, consents, preferences and privacy requests: its own database (the consent record is
 * evidence) and Kafka through the outbox. Features arrive with the issues that build this context.
 */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof consentConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'consent', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('consent', config, {
          entities: [...messagingEntities],
          migrations: [...messagingMigrations],
        }),
        MessagingModule.forService('consent', config, { topics: Object.values(ConsentTopics), relay: true }),
      ],
    };
  }
}
