import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '@keyline/platform-http';
import { ServiceProcess, TestDatabase, createTestDatabase, startServiceProcess, testKafkaBrokers, testRedisDb } from '@keyline/platform-testing';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { directoryClient } from './directory.client';

export type Dialect = 'postgres' | 'sqlite';
export type Tenant = { id: string; slug: string };
/** Reads the directory's own database: `$1`-style parameters on both stores. */
export type Rows = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export const platformKey: Principal = { kind: 'platform', keyId: randomUUID(), scopes: ['admin'] };

/** A tenant API key's principal, as the gateway would forward it. */
export const keyOf = (t: Tenant, scopes = ['admin']): Principal => ({ kind: 'tenant', keyId: randomUUID(), tenantId: t.id, tenantSlug: t.slug, scopes });

export interface DirectoryUnderTest {
  svc: ServiceProcess;
  call: ReturnType<typeof directoryClient>;
  rows: Rows;
  /** A client of the Postgres database (postgres only), for assertions in its own SQL. */
  pg?: Client;
  /** The event envelopes in the outbox, oldest first. */
  outbox(): Promise<{ type: string; tenantId: string; subject: string; data: Record<string, unknown> }[]>;
  /** A new tenant (slug `<prefix>-<random>`), made with the platform key. */
  tenant(prefix: string): Promise<Tenant>;
  stop(): Promise<void>;
}

/**
 * The real directory process on a store of its own (a throw-away Postgres database, or an SQLite file
 * in a temp folder), with real Redis and Kafka: what every directory integration suite starts from.
 */
export async function startDirectory(label: string, dialect: Dialect = 'postgres', env: Record<string, string> = {}): Promise<DirectoryUnderTest> {
  const db: TestDatabase | undefined = dialect === 'postgres' ? await createTestDatabase(`directory_${label}`) : undefined;
  const dataDir = dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), `keyline-${label}-`)) : undefined;
  const internalToken = randomBytes(24).toString('base64url');
  const svc = await startServiceProcess('directory', {
    DATABASE_URL: db?.url ?? '',
    DATA_DIR: dataDir ?? '.data',
    REDIS_URL: testRedisDb(),
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    INTERNAL_TOKEN: internalToken,
    OUTBOX_POLL_MS: '50',
    ...env,
  });
  const call = directoryClient(svc.url, internalToken);
  let rows: Rows;
  let close: () => Promise<void>;
  let pg: Client | undefined;
  if (db) {
    const client = new Client({ connectionString: db.url });
    pg = client;
    await client.connect();
    rows = async (sql, params) => (await client.query(sql, params)).rows as Record<string, unknown>[];
    close = () => client.end();
  } else {
    const file = new Database(join(dataDir!, 'directory.sqlite'), { readonly: true, fileMustExist: true });
    rows = async (sql, params = []) => file.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as Record<string, unknown>[];
    close = async () => {
      file.close();
    };
  }
  const run = randomBytes(3).toString('hex');
  return {
    svc,
    call,
    rows,
    pg,
    async outbox() {
      const all = await rows('SELECT payload FROM outbox_events ORDER BY seq');
      return all.map((r) => JSON.parse(r.payload as string));
    },
    async tenant(prefix) {
      const res = await call<Tenant>('POST', '/v1/tenants', { as: platformKey, json: { slug: `${prefix}-${run}-${randomBytes(2).toString('hex')}`, name: prefix } });
      if (res.status !== 201) throw new Error(`could not create a tenant: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async stop() {
      await svc.stop();
      await close();
      await db?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
