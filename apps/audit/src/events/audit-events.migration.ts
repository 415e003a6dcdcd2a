import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** The audit log table; dialect-neutral (Postgres and SQLite). */
export class AuditEventsTable1764100000000 implements MigrationInterface {
  name = 'AuditEventsTable1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'seq', type: postgres ? 'bigint' : 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'eventId', type: 'varchar', length: '36' },
          { name: 'tenantId', type: 'varchar', length: '100' },
          // Byte-wise collation, so that a type prefix filter is an index range scan (SQLite compares bytes already).
          { name: 'type', type: 'varchar', length: '200', ...(postgres ? { collation: 'C' } : {}) },
          { name: 'actor', type: 'varchar', length: '200' },
          { name: 'subject', type: 'varchar', length: '200' },
          { name: 'occurredAt', type: 'bigint' },
          { name: 'receivedAt', type: 'bigint' },
          { name: 'schemaVersion', type: 'integer' },
          { name: 'data', type: 'text' },
        ],
      }),
    );
    const indexes: [string, string[], boolean?][] = [
      ['uq_audit_events_event_id', ['eventId'], true],
      ['idx_audit_events_tenant_seq', ['tenantId', 'seq']],
      ['idx_audit_events_tenant_type', ['tenantId', 'type', 'seq']],
      ['idx_audit_events_tenant_subject', ['tenantId', 'subject', 'seq']],
      ['idx_audit_events_tenant_actor', ['tenantId', 'actor', 'seq']],
      ['idx_audit_events_tenant_occurred', ['tenantId', 'occurredAt']],
    ];
    for (const [name, columnNames, isUnique] of indexes) {
      await q.createIndex('audit_events', new TableIndex({ name, columnNames, isUnique: isUnique ?? false }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_events');
  }
}
