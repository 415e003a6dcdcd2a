import { DynamicModule, Global, Module } from '@nestjs/common';
import { AuthnEventTopics, type AuthnEvents } from '@keyline/authn-contracts';
import { Messaging } from '@keyline/platform-messaging';
import { PasswordHasher, argon2idParametersOf } from '@keyline/platform-passwords';
import type { AuthnConfig } from '../config';
import { CommonPasswords } from '../crypto/common-passwords';
import { AuthnEventsService } from './authn-events';
import { Clock } from './clock';
import { AUTHN_CONFIG, AUTHN_OUTBOX } from './core.tokens';
import { DirectoryClient } from './directory.client';
import { AuthnKeys } from './keys';
import { SessionsClient } from './sessions.client';

/** What every authn feature shares: configuration, clock, outbox, keys, hashing and the clients of other services. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AuthnConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AUTHN_CONFIG, useValue: config },
        Clock,
        AuthnEventsService,
        {
          provide: AUTHN_OUTBOX,
          useFactory: (messaging: Messaging) => messaging.outbox<AuthnEvents>(AuthnEventTopics),
          inject: [Messaging],
        },
        { provide: AuthnKeys, useFactory: () => AuthnKeys.load({ configured: config.encryptionKeys, production: config.production, dataDir: config.dataDir }) },
        { provide: PasswordHasher, useValue: new PasswordHasher(argon2idParametersOf(config)) },
        { provide: CommonPasswords, useFactory: () => CommonPasswords.load() },
        { provide: DirectoryClient, useValue: new DirectoryClient('directory', config.directoryUrl, config.internalToken) },
        { provide: SessionsClient, useValue: new SessionsClient('sessions', config.sessionsUrl, config.internalToken) },
      ],
      exports: [AUTHN_CONFIG, Clock, AuthnEventsService, AUTHN_OUTBOX, AuthnKeys, PasswordHasher, CommonPasswords, DirectoryClient, SessionsClient],
    };
  }
}
