import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** Per-tenant signing keys of the OIDC provider; dialect-neutral (Postgres and SQLite). */
export class AuthnSigningKeys1764710000000 implements MigrationInterface {
  name = 'AuthnSigningKeys1764710000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '32', isPrimary: true },
          postgres ? { name: 'tenantId', type: 'uuid' } : { name: 'tenantId', type: 'varchar', length: '36' },
          { name: 'alg', type: 'varchar', length: '8' },
          { name: 'status', type: 'varchar', length: '8' },
          { name: 'slot', type: 'varchar', length: '16', isNullable: true },
          { name: 'publicJwk', type: 'text' },
          { name: 'privateJwkSealed', type: 'text' },
          { name: 'createdAt', type: 'bigint' },
          { name: 'activatesAt', type: 'bigint' },
          { name: 'retiredAt', type: 'bigint', isNullable: true },
          { name: 'expiresAt', type: 'bigint', isNullable: true },
        ],
        indices: [
          // Also serves every per-tenant read (tenantId is its first column).
          { name: 'uq_signing_keys_tenant_slot', columnNames: ['tenantId', 'slot'], isUnique: true },
          // The promotion sweep across all tenants: due `next` keys and expired `retired` ones.
          { name: 'ix_signing_keys_status_activates', columnNames: ['status', 'activatesAt'] },
          { name: 'ix_signing_keys_status_expires', columnNames: ['status', 'expiresAt'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('signing_keys');
  }
}
