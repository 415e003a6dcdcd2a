export * from './consumer';
export * from './entities';
export * from './envelope';
export * from './errors';
export * from './kafka';
export * from './messaging.migration';
export * from './messaging.module';
export * from './outbox';

import { OutboxEventEntity, ProcessedEventEntity } from './entities';
import { MessagingTables1764000000000 } from './messaging.migration';

/** Entities and migrations every service that uses messaging adds to its database. */
export const messagingEntities = [OutboxEventEntity, ProcessedEventEntity];
export const messagingMigrations = [MessagingTables1764000000000];
