import { DynamicModule, Global, Module } from '@nestjs/common';
import { DirectoryEventTopics, DirectoryEvents } from '@keyline/directory-contracts';
import { Messaging } from '@keyline/platform-messaging';
import type { DirectoryConfig } from '../config';
import { Clock } from './clock';
import { DIRECTORY_CONFIG, DIRECTORY_OUTBOX } from './core.tokens';

/** What every directory feature shares: its configuration, the clock and the outbox. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: DirectoryConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: DIRECTORY_CONFIG, useValue: config },
        Clock,
        {
          provide: DIRECTORY_OUTBOX,
          useFactory: (messaging: Messaging) => messaging.outbox<DirectoryEvents>(DirectoryEventTopics),
          inject: [Messaging],
        },
      ],
      exports: [DIRECTORY_CONFIG, Clock, DIRECTORY_OUTBOX],
    };
  }
}
