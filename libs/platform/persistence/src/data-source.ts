import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';

export interface DatabaseOptions {
  /** Service name: the SQLite file name and the Postgres advisory-lock namespace for migrations. */
  service: string;
  /** postgres:// URL; undefined selects embedded SQLite at `${dataDir}/${service}.sqlite`. */
  url?: string;
  dataDir: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own migration type
  migrations: MixedList<Function | string>;
  logging?: boolean;
  poolSize?: number;
}

export type Dialect = 'postgres' | 'sqlite';

export function dialectOf(ds: DataSource): Dialect {
  return ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

export function dataSourceOptions(opts: DatabaseOptions): DataSourceOptions {
  const common = {
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: opts.logging ?? false,
  } as const;
  if (opts.url) {
    return {
      ...common,
      type: 'postgres',
      url: opts.url,
      applicationName: `keyline-${opts.service}`,
      poolSize: opts.poolSize ?? 10,
      extra: { connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, statement_timeout: 15_000 },
    };
  }
  const file = resolve(opts.dataDir, `${opts.service}.sqlite`);
  mkdirSync(dirname(file), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    // WAL lets readers proceed while the outbox relay writes; busy_timeout waits instead of failing.
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = NORMAL');
    },
  } as DataSourceOptions;
}

/** A stable 32-bit key per service for pg_advisory_lock around migrations. */
function lockKey(service: string): number {
  let h = 0;
  for (const c of `keyline:migrations:${service}`) h = (Math.imul(31, h) + c.charCodeAt(0)) | 0;
  return h;
}

/**
 * Opens the database and runs pending migrations. On Postgres an advisory lock makes concurrent
 * starts (several replicas, a migration Job) safe: one migrates, the others wait and find nothing to do.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(opts));
  await ds.initialize();
  try {
    if (dialectOf(ds) === 'postgres') {
      const runner = ds.createQueryRunner();
      await runner.connect();
      try {
        await runner.query('SELECT pg_advisory_lock($1)', [lockKey(opts.service)]);
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [lockKey(opts.service)]).catch(() => undefined);
        await runner.release();
      }
    } else {
      await ds.runMigrations({ transaction: 'each' });
    }
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    throw err;
  }
  return ds;
}

/** True when the error is a unique-constraint violation (Postgres 23505, SQLite CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * What a unique violation names, to tell which of several unique indexes was hit: Postgres gives the
 * constraint (`uq_users_tenant_email`), SQLite the columns (`UNIQUE constraint failed: users.tenantId, users.emailKey`).
 */
export function uniqueViolationTarget(err: unknown): string {
  const e = err as { message?: string; driverError?: { constraint?: string; message?: string } };
  return [e?.driverError?.constraint, e?.driverError?.message, e?.message].filter(Boolean).join(' ');
}
