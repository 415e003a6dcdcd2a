import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const uuid = (q: QueryRunner, name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions =>
  q.connection.options.type === 'postgres' ? { name, type: 'uuid', ...opts } : { name, type: 'varchar', length: '36', ...opts };

/** OAuth clients (applications); dialect-neutral (Postgres and SQLite). */
export class AuthnApplications1764700000000 implements MigrationInterface {
  name = 'AuthnApplications1764700000000';

  async up(q: QueryRunner): Promise<void> {
    const text = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });
    const varchar = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'int' });
    const bigint = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
    await q.createTable(
      new Table({
        name: 'applications',
        columns: [
          uuid(q, 'id', { isPrimary: true }),
          uuid(q, 'tenantId'),
          varchar('clientId', 64),
          varchar('name', 100),
          varchar('type', 16),
          { name: 'firstParty', type: 'boolean' },
          text('redirectUris'),
          text('postLogoutRedirectUris'),
          text('grantTypes'),
          text('scopes'),
          text('corsOrigins'),
          varchar('tokenEndpointAuthMethod', 32),
          text('jwks', true),
          varchar('jwksUri', 2048, true),
          int('accessTokenTtlSeconds'),
          int('idTokenTtlSeconds'),
          int('refreshTokenTtlSeconds'),
          { name: 'refreshTokenRotation', type: 'boolean' },
          varchar('backchannelLogoutUri', 2048, true),
          varchar('idTokenSignedResponseAlg', 16),
          text('claims'),
          text('secretHash', true),
          text('previousSecretHash', true),
          bigint('previousSecretExpiresAt', true),
          int('version'),
          bigint('createdAt'),
          bigint('updatedAt'),
          bigint('deletedAt', true),
        ],
        indices: [
          { name: 'ix_applications_tenant', columnNames: ['tenantId', 'id'] },
          // Client ids are random and never reused, deleted applications included.
          { name: 'ux_applications_client', columnNames: ['clientId'], isUnique: true },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('applications');
  }
}
