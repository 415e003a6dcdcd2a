import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** Bulk user import jobs; dialect-neutral (Postgres and SQLite). */
export class DirectoryUserImports1764400000000 implements MigrationInterface {
  name = 'DirectoryUserImports1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'user_import_jobs',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'onConflict', type: 'varchar', length: '8' },
          { name: 'actor', type: 'varchar', length: '200' },
          { name: 'worker', type: 'varchar', length: '64' },
          { name: 'bytes', type: 'bigint' },
          { name: 'totalLines', type: 'int' },
          { name: 'processed', type: 'int' },
          { name: 'created', type: 'int' },
          { name: 'skipped', type: 'int' },
          { name: 'failed', type: 'int' },
          { name: 'errors', type: 'text' },
          { name: 'failureReason', type: 'varchar', length: '200', isNullable: true },
          { name: 'createdAt', type: 'bigint' },
          { name: 'startedAt', type: 'bigint', isNullable: true },
          { name: 'finishedAt', type: 'bigint', isNullable: true },
          { name: 'heartbeatAt', type: 'bigint' },
        ],
        indices: [
          // A tenant's jobs in creation order (ids are UUIDv7): the list route.
          { name: 'ix_user_import_jobs_tenant_id', columnNames: ['tenantId', 'id'] },
          // Unfinished jobs: what the interrupted-job sweep looks at.
          { name: 'ix_user_import_jobs_status', columnNames: ['status', 'heartbeatAt'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('user_import_jobs');
  }
}
