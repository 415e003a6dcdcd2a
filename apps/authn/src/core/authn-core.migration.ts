import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const uuid = (q: QueryRunner, name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions =>
  q.connection.options.type === 'postgres' ? { name, type: 'uuid', ...opts } : { name, type: 'varchar', length: '36', ...opts };

/** Tenants, settings, group memberships, password history and MFA factors; dialect-neutral. */
export class AuthnCore1764600000000 implements MigrationInterface {
  name = 'AuthnCore1764600000000';

  async up(q: QueryRunner): Promise<void> {
    const key = (...names: string[]) => names.map((n) => uuid(q, n, { isPrimary: true }));
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [
          uuid(q, 'id', { isPrimary: true }),
          { name: 'slug', type: 'varchar', length: '63', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'updatedAt', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'authn_settings',
        columns: [...key('tenantId'), { name: 'settings', type: 'text' }, { name: 'version', type: 'int' }, { name: 'updatedAt', type: 'bigint' }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_groups',
        columns: key('tenantId', 'userId', 'groupId'),
        indices: [{ name: 'ix_identity_groups_group', columnNames: ['tenantId', 'groupId'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'password_history',
        columns: [...key('tenantId', 'userId'), { name: 'createdAt', type: 'bigint', isPrimary: true }, { name: 'hash', type: 'text' }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'totp_factors',
        columns: [
          ...key('tenantId', 'userId'),
          { name: 'secretSealed', type: 'text' },
          { name: 'lastUsedStep', type: 'bigint', isNullable: true },
          { name: 'createdAt', type: 'bigint' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          ...key('tenantId', 'userId'),
          { name: 'codeHash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'usedAt', type: 'bigint', isNullable: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['recovery_codes', 'totp_factors', 'password_history', 'identity_groups', 'authn_settings', 'tenants']) await q.dropTable(t);
  }
}
