import { messagingEntities, messagingMigrations } from '@keyline/platform-messaging';
import { openDatabase } from '@keyline/platform-persistence';
import { createTestDatabase } from '@keyline/platform-testing';
import { describeAuditEventStoreConformance } from '../../test/audit-events.store.conformance';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventsTable1764100000000 } from './audit-events.migration';
import { AuditEventRepository } from './audit-events.repository';

describeAuditEventStoreConformance('TypeORM on PostgreSQL', async () => {
  const db = await createTestDatabase('audit_store');
  const ds = await openDatabase({
    service: 'audit',
    url: db.url,
    dataDir: '.data',
    entities: [...messagingEntities, AuditEventEntity],
    migrations: [...messagingMigrations, AuditEventsTable1764100000000],
  });
  return {
    store: new AuditEventRepository(ds),
    manager: ds.manager,
    close: async () => {
      await ds.destroy();
      await db.drop();
    },
  };
});
