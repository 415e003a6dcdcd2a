import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '../clock';
import { AuditEventRepository } from './audit-events.repository';
import { AuditEventStore } from './audit-events.store';
import { EventsConsumer } from './events.consumer';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';

@Module({
  controllers: [EventsController],
  providers: [
    EventsService,
    EventsConsumer,
    { provide: AuditEventStore, useClass: AuditEventRepository },
    { provide: Clock, useClass: SystemClock },
  ],
})
export class EventsModule {}
