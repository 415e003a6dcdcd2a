import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

export class DirectoryProfileSchemas1764200000001 implements MigrationInterface {
  name = 'DirectoryProfileSchemas1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'profile_schemas',
        columns: [
          uuidColumn(q, 'tenantId', { isPrimary: true }),
          { name: 'attributes', type: 'text' },
          { name: 'version', type: 'int' },
          { name: 'updatedAt', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('profile_schemas');
  }
}
