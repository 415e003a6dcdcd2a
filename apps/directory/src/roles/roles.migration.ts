import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** Roles and their assignments to users and groups; dialect-neutral (Postgres and SQLite). */
export class DirectoryRoles1764300000001 implements MigrationInterface {
  name = 'DirectoryRoles1764300000001';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'roles',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'nameKey', type: 'varchar', length: '400' },
          { name: 'description', type: 'varchar', length: '1000', isNullable: true },
          { name: 'permissions', type: 'text' },
          { name: 'version', type: 'int' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'updatedAt', type: 'bigint' },
        ],
        // The unique index decides name races: of two concurrent creates of one name, one gets 409.
        indices: [
          { name: 'uq_roles_tenant_name', columnNames: ['tenantId', 'nameKey'], isUnique: true },
          { name: 'ix_roles_tenant_id', columnNames: ['tenantId', 'id'] },
        ],
        foreignKeys: [{ name: 'fk_roles_tenant', columnNames: ['tenantId'], referencedTableName: 'tenants', referencedColumnNames: ['id'] }],
      }),
    );
    if (postgres) {
      await q.query(`CREATE INDEX "ix_roles_tenant_nameKey_prefix" ON "roles" ("tenantId", "nameKey" varchar_pattern_ops)`);
    }
    await q.createTable(
      new Table({
        name: 'role_assignments',
        columns: [
          uuidColumn(q, 'roleId', { isPrimary: true }),
          { name: 'subjectType', type: 'varchar', length: '16', isPrimary: true },
          uuidColumn(q, 'subjectId', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          { name: 'createdAt', type: 'bigint' },
        ],
        indices: [{ name: 'ix_role_assignments_subject', columnNames: ['tenantId', 'subjectType', 'subjectId'] }],
        // The subject is a user or a group (no single key); both remove their assignments when deleted.
        foreignKeys: [{ name: 'fk_role_assignments_role', columnNames: ['roleId'], referencedTableName: 'roles', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('role_assignments');
    await q.dropTable('roles');
  }
}
