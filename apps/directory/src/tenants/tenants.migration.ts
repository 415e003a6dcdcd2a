import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** The tenants table; dialect-neutral (Postgres and SQLite). */
export class DirectoryTenants1764100000000 implements MigrationInterface {
  name = 'DirectoryTenants1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          { name: 'slug', type: 'varchar', length: '63' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'corsOrigins', type: 'text' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'updatedAt', type: 'bigint' },
        ],
        // The unique index is what makes slug allocation race-safe: the loser of a race gets a 409.
        indices: [{ name: 'uq_tenants_slug', columnNames: ['slug'], isUnique: true }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('tenants');
  }
}
