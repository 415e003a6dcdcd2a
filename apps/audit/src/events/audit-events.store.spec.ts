import type { EntityManager } from 'typeorm';
import { describeAuditEventStoreConformance } from '../../test/audit-events.store.conformance';
import { InMemoryAuditEventStore } from '../../test/in-memory-audit-events.store';

// The fake the service specs use must behave like the real store (see audit-events.repository.int-spec.ts).
describeAuditEventStoreConformance('in-memory fake', async () => ({
  store: new InMemoryAuditEventStore(),
  manager: {} as EntityManager,
  close: async () => undefined,
}));
