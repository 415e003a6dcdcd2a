import { DynamicModule, Module } from '@nestjs/common';
import { AuthnPublicTopics } from '@keyline/authn-contracts';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule, RedisModule } from '@keyline/platform-persistence';
import { ApplicationEntity } from './applications/application.entity';
import { AuthnApplications1764700000000 } from './applications/applications.migration';
import { ApplicationsModule } from './applications/applications.module';
import { authnConfig } from './config';
import { AuthnCore1764600000000 } from './core/authn-core.migration';
import { CoreModule } from './core/core.module';
import { FlowsModule } from './flows/flows.module';
import { HostedModule } from './hosted/hosted.module';
import { AuthnIdentities1764500000000 } from './identities/identities.migration';
import { IDENTITY_TOPICS } from './identities/identities.consumer';
import { IdentityEntity, IdentityGroupEntity, PasswordCredentialEntity, PasswordHistoryEntity } from './identities/identity.entity';
import { MailModule } from './mail/mail.module';
import { OidcModule } from './oidc/oidc.module';
import { RecoveryCodeEntity, TotpFactorEntity } from './mfa/mfa.entity';
import { SigningKeyEntity } from './signing-keys/signing-key.entity';
import { AuthnSigningKeys1764710000000 } from './signing-keys/signing-keys.migration';
import { SigningKeysModule } from './signing-keys/signing-keys.module';
import { AuthnSettingsEntity, TenantEntity } from './tenants/tenant.entity';

/**
 * Credentials, MFA, hosted login and (with the SSO issue) the OIDC provider. Its own database
 * (credentials never leave it), Redis for short-lived state (flows, one-time tokens, brute-force
 * counters), the sessions service for sessions, Kafka through the outbox.
 */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof authnConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'authn', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('authn', config, {
          entities: [
            ...messagingEntities,
            IdentityEntity,
            PasswordCredentialEntity,
            IdentityGroupEntity,
            PasswordHistoryEntity,
            TenantEntity,
            AuthnSettingsEntity,
            TotpFactorEntity,
            RecoveryCodeEntity,
            SigningKeyEntity,
            ApplicationEntity,
          ],
          migrations: [...messagingMigrations, AuthnIdentities1764500000000, AuthnCore1764600000000, AuthnApplications1764700000000, AuthnSigningKeys1764710000000],
        }),
        RedisModule.forRoot(config.redisUrl, 'authn'),
        MessagingModule.forService('authn', config, { topics: [...AuthnPublicTopics, ...IDENTITY_TOPICS], relay: true }),
        CoreModule.forRoot(config),
        SigningKeysModule.forRoot(),
        MailModule.forRoot({ smtpUrl: config.smtpUrl, production: config.production, from: config.mailFrom }),
        FlowsModule,
        HostedModule,
        ApplicationsModule,
        OidcModule,
      ],
    };
  }
}
