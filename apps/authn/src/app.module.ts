import { DynamicModule, Module } from '@nestjs/common';
import { AuthnTopics } from '@keyline/authn-contracts';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule, RedisModule } from '@keyline/platform-persistence';
import { authnConfig } from './config';
import { AuthnIdentities1764500000000 } from './identities/identities.migration';
import { IDENTITY_TOPICS } from './identities/identities.consumer';
import { IdentitiesModule } from './identities/identities.module';
import { IdentityEntity, PasswordCredentialEntity } from './identities/identity.entity';

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
          entities: [...messagingEntities, IdentityEntity, PasswordCredentialEntity],
          migrations: [...messagingMigrations, AuthnIdentities1764500000000],
        }),
        RedisModule.forRoot(config.redisUrl, 'authn'),
        MessagingModule.forService('authn', config, { topics: [...(Object.values(AuthnTopics) as string[]), ...IDENTITY_TOPICS], relay: true }),
        IdentitiesModule,
      ],
    };
  }
}
