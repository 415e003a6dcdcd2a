import { DynamicModule, Module } from '@nestjs/common';
import type { ConfigOf } from '@keyline/platform-config';
import { PlatformHttpModule, ServiceRuntime } from '@keyline/platform-http';
import { MessagingModule, messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { PersistenceModule } from '@keyline/platform-persistence';
import { auditConfig } from './config';
import { AuditEventEntity } from './events/audit-event.entity';
import { AuditEventsTable1764100000000 } from './events/audit-events.migration';
import { AUDITED_TOPICS } from './events/events.consumer';
import { EventsModule } from './events/events.module';

/** The audit log: consumes every context's events into an append-only, tenant-scoped store. */
@Module({})
export class AppModule {
  static register({ config, logger, metrics }: ServiceRuntime<ConfigOf<typeof auditConfig>>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformHttpModule.forRoot({ service: 'audit', internalToken: config.internalToken, logger, metrics }),
        PersistenceModule.forService('audit', config, {
          entities: [...messagingEntities, AuditEventEntity],
          migrations: [...messagingMigrations, AuditEventsTable1764100000000],
        }),
        MessagingModule.forService('audit', config, { topics: [...AUDITED_TOPICS], relay: false }),
        EventsModule,
      ],
    };
  }
}
