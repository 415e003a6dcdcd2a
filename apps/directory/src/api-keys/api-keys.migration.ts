import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** The api_keys table; dialect-neutral (Postgres and SQLite). */
export class DirectoryApiKeys1764100000001 implements MigrationInterface {
  name = 'DirectoryApiKeys1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          uuidColumn(q, 'tenantId', { isNullable: true }),
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'prefix', type: 'varchar', length: '12' },
          { name: 'keyHash', type: 'varchar', length: '64' },
          { name: 'scopes', type: 'text' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'lastUsedAt', type: 'bigint', isNullable: true },
          { name: 'revokedAt', type: 'bigint', isNullable: true },
          { name: 'createdBy', type: 'varchar', length: '200' },
        ],
        indices: [
          { name: 'uq_api_keys_key_hash', columnNames: ['keyHash'], isUnique: true },
          { name: 'idx_api_keys_tenant', columnNames: ['tenantId', 'id'] },
          { name: 'idx_api_keys_kind', columnNames: ['kind'] },
        ],
        foreignKeys: [{ name: 'fk_api_keys_tenant', columnNames: ['tenantId'], referencedTableName: 'tenants', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_keys');
  }
}
