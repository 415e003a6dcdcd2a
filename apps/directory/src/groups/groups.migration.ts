import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** Groups and their members; dialect-neutral (Postgres and SQLite). */
export class DirectoryGroups1764300000000 implements MigrationInterface {
  name = 'DirectoryGroups1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'groups',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'nameKey', type: 'varchar', length: '400' },
          { name: 'description', type: 'varchar', length: '1000', isNullable: true },
          { name: 'externalId', type: 'varchar', length: '255', isNullable: true },
          { name: 'version', type: 'int' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'updatedAt', type: 'bigint' },
        ],
        // The unique index decides name races: of two concurrent creates of one name, one gets 409.
        indices: [
          { name: 'uq_groups_tenant_name', columnNames: ['tenantId', 'nameKey'], isUnique: true },
          { name: 'ix_groups_tenant_id', columnNames: ['tenantId', 'id'] },
          { name: 'ix_groups_tenant_external_id', columnNames: ['tenantId', 'externalId'] },
        ],
        foreignKeys: [{ name: 'fk_groups_tenant', columnNames: ['tenantId'], referencedTableName: 'tenants', referencedColumnNames: ['id'] }],
      }),
    );
    if (postgres) {
      // Prefix search (`LIKE 'abc%'`) can use a b-tree only with pattern operators under a non-C collation.
      await q.query(`CREATE INDEX "ix_groups_tenant_nameKey_prefix" ON "groups" ("tenantId", "nameKey" varchar_pattern_ops)`);
    }
    await q.createTable(
      new Table({
        name: 'group_members',
        columns: [
          uuidColumn(q, 'groupId', { isPrimary: true }),
          uuidColumn(q, 'userId', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          { name: 'createdAt', type: 'bigint' },
        ],
        indices: [{ name: 'ix_group_members_tenant_user', columnNames: ['tenantId', 'userId'] }],
        // No key to users: a user is soft-deleted and its memberships are removed in that transaction.
        foreignKeys: [{ name: 'fk_group_members_group', columnNames: ['groupId'], referencedTableName: 'groups', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('group_members');
    await q.dropTable('groups');
  }
}
