import { Injectable, OnModuleInit } from '@nestjs/common';
import { AUDIT_CONSUMER_GROUP } from '@keyline/audit-contracts';
import { AuthnEventTopics, AuthnPublicTopics } from '@keyline/authn-contracts';
import { DirectoryEventTopics, DirectoryPublicTopics } from '@keyline/directory-contracts';
import { EventHandler, Messaging } from '@keyline/platform-messaging';
import { EventsService } from './events.service';

/**
 * Every topic and event type the audit log records. Types come from each context's contracts, so a
 * new event type there is audited without a change here; a new context adds its topics and type map.
 */
export const AUDITED_TOPICS: readonly string[] = [...DirectoryPublicTopics, ...AuthnPublicTopics];
// Credential events carry password hashes: they are authn's alone and never enter the audit log.
const AUDITED_TYPES: readonly string[] = Object.entries({ ...DirectoryEventTopics, ...AuthnEventTopics })
  .filter(([, topic]) => AUDITED_TOPICS.includes(topic))
  .map(([type]) => type);

/** Feeds the audit log from Kafka; idempotency, retries and dead-lettering come from the platform consumer. */
@Injectable()
export class EventsConsumer implements OnModuleInit {
  constructor(
    private readonly messaging: Messaging,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    const record: EventHandler = (event, manager) => this.events.record(event, manager);
    this.messaging.addConsumer({
      groupId: AUDIT_CONSUMER_GROUP,
      topics: [...AUDITED_TOPICS],
      handlers: Object.fromEntries(AUDITED_TYPES.map((type) => [type, record])),
    });
  }
}
