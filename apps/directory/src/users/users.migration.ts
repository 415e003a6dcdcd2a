import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { uuidColumn } from '../core/columns';

/** Users and the per-tenant unique values of custom attributes; dialect-neutral (Postgres and SQLite). */
export class DirectoryUsers1764200000000 implements MigrationInterface {
  name = 'DirectoryUsers1764200000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    const text = (name: string, length: number, nullable = true) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          uuidColumn(q, 'id', { isPrimary: true }),
          uuidColumn(q, 'tenantId'),
          text('email', 320),
          text('emailKey', 320),
          { name: 'emailVerified', type: 'boolean', default: false },
          text('phoneNumber', 16),
          text('phoneKey', 16),
          { name: 'phoneNumberVerified', type: 'boolean', default: false },
          text('username', 256),
          text('usernameKey', 256),
          text('externalId', 255),
          text('givenName', 100),
          text('familyName', 100),
          text('displayName', 200),
          text('givenNameKey', 100),
          text('familyNameKey', 100),
          text('locale', 35),
          text('picture', 2048),
          text('status', 16, false),
          { name: 'attributes', type: 'text' },
          { name: 'appMetadata', type: 'text' },
          { name: 'enterprise', type: 'text', isNullable: true },
          { name: 'version', type: 'int' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'updatedAt', type: 'bigint' },
          { name: 'lastLoginAt', type: 'bigint', isNullable: true },
          { name: 'deletedAt', type: 'bigint', isNullable: true },
        ],
        // Unique indexes decide identifier races: of two concurrent creates with one email, one gets 409.
        // NULLs never collide, so deleted users (keys cleared) and users without a phone do not either.
        // On Postgres the email and username ones are created below with pattern operators, so that one
        // index serves uniqueness, exact lookups and prefix search (every index costs each insert).
        indices: [
          ...(postgres
            ? []
            : [
                { name: 'uq_users_tenant_email', columnNames: ['tenantId', 'emailKey'], isUnique: true },
                { name: 'uq_users_tenant_username', columnNames: ['tenantId', 'usernameKey'], isUnique: true },
                { name: 'ix_users_tenant_given_name', columnNames: ['tenantId', 'givenNameKey'] },
                { name: 'ix_users_tenant_family_name', columnNames: ['tenantId', 'familyNameKey'] },
              ]),
          { name: 'uq_users_tenant_phone', columnNames: ['tenantId', 'phoneKey'], isUnique: true },
          // Lists are keyset-paginated by id within a tenant; status is filtered along that order.
          { name: 'ix_users_tenant_id', columnNames: ['tenantId', 'id'] },
          { name: 'ix_users_tenant_external_id', columnNames: ['tenantId', 'externalId'] },
        ],
      }),
    );
    if (postgres) {
      // Prefix search (`LIKE 'abc%'`) can use a b-tree only with pattern operators under a non-C
      // collation; the pattern operator class has `=` too, so the unique indexes are these.
      await q.query('CREATE UNIQUE INDEX "uq_users_tenant_email" ON "users" ("tenantId", "emailKey" varchar_pattern_ops)');
      await q.query('CREATE UNIQUE INDEX "uq_users_tenant_username" ON "users" ("tenantId", "usernameKey" varchar_pattern_ops)');
      await q.query('CREATE INDEX "ix_users_tenant_given_name" ON "users" ("tenantId", "givenNameKey" varchar_pattern_ops)');
      await q.query('CREATE INDEX "ix_users_tenant_family_name" ON "users" ("tenantId", "familyNameKey" varchar_pattern_ops)');
    }
    await q.createTable(
      new Table({
        name: 'user_unique_values',
        columns: [
          uuidColumn(q, 'tenantId', { isPrimary: true }),
          { name: 'attribute', type: 'varchar', length: '64', isPrimary: true },
          { name: 'valueKey', type: 'varchar', length: '512', isPrimary: true },
          uuidColumn(q, 'userId'),
        ],
        indices: [{ name: 'ix_user_unique_values_user', columnNames: ['userId'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('user_unique_values');
    await q.dropTable('users');
  }
}
