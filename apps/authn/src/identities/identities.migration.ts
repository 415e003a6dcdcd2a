import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const uuid = (q: QueryRunner, name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions =>
  q.connection.options.type === 'postgres' ? { name, type: 'uuid', ...opts } : { name, type: 'varchar', length: '36', ...opts };

/** The identity read model and password credentials; dialect-neutral (Postgres and SQLite). */
export class AuthnIdentities1764500000000 implements MigrationInterface {
  name = 'AuthnIdentities1764500000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, length: number, nullable = true): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    await q.createTable(
      new Table({
        name: 'identities',
        columns: [
          uuid(q, 'tenantId', { isPrimary: true }),
          uuid(q, 'userId', { isPrimary: true }),
          text('email', 320),
          text('emailKey', 320),
          { name: 'emailVerified', type: 'boolean' },
          text('phoneNumber', 16),
          { name: 'phoneNumberVerified', type: 'boolean' },
          text('username', 256),
          text('usernameKey', 256),
          text('status', 16, false),
          { name: 'claims', type: 'text' },
          { name: 'updatedAt', type: 'bigint' },
        ],
        // Not unique: the directory decides uniqueness; a read model only follows it.
        indices: [
          { name: 'ix_identities_tenant_email', columnNames: ['tenantId', 'emailKey'] },
          { name: 'ix_identities_tenant_username', columnNames: ['tenantId', 'usernameKey'] },
          { name: 'ix_identities_tenant_phone', columnNames: ['tenantId', 'phoneNumber'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'password_credentials',
        columns: [
          uuid(q, 'tenantId', { isPrimary: true }),
          uuid(q, 'userId', { isPrimary: true }),
          { name: 'format', type: 'varchar', length: '32' },
          { name: 'hash', type: 'text' },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'updatedAt', type: 'bigint' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('password_credentials');
    await q.dropTable('identities');
  }
}
