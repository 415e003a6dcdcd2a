import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** The outbox and the processed-events table; dialect-neutral (Postgres and SQLite). */
export class MessagingTables1764000000000 implements MigrationInterface {
  name = 'MessagingTables1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const bigintPk = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.createTable(
      new Table({
        name: 'outbox_events',
        columns: [
          { name: 'seq', type: bigintPk, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'eventId', type: 'varchar', length: '36' },
          { name: 'topic', type: 'varchar', length: '200' },
          { name: 'messageKey', type: 'varchar', length: '200' },
          { name: 'payload', type: 'text' },
          { name: 'headers', type: 'text' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'sentAt', type: 'bigint', isNullable: true },
        ],
      }),
    );
    await q.createIndex('outbox_events', new TableIndex({ name: 'idx_outbox_unsent', columnNames: ['sentAt', 'seq'] }));
    await q.createTable(
      new Table({
        name: 'processed_events',
        columns: [
          { name: 'consumerGroup', type: 'varchar', length: '200', isPrimary: true },
          { name: 'eventId', type: 'varchar', length: '36', isPrimary: true },
          { name: 'processedAt', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('processed_events');
    await q.dropTable('outbox_events');
  }
}
