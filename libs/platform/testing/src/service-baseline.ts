import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from './postgres';
import { freePort, ServiceProcess, startServiceProcess } from './processes';
import { testKafkaBrokers, testRedisDb } from './infra';
import { waitFor } from './wait';

type Health = { status: string; details?: Record<string, { status: string; degraded?: boolean; message?: string }> };

export async function readiness(url: string): Promise<{ status: number; body: Health }> {
  const r = await fetch(`${url}/health/ready`);
  return { status: r.status, body: (await r.json()) as Health };
}

export interface BaselineOptions {
  service: string;
  /** Readiness dependencies the service must name. */
  dependencies: ('database' | 'redis' | 'kafka')[];
  /** Tables its migrations must create (its own database only). */
  tables?: string[];
}

export interface BaselineContext {
  service: () => ServiceProcess;
  env: () => Record<string, string>;
}

/**
 * The conformance suite every Keyline service passes as a real process on real Postgres, Redis and
 * Kafka: readiness naming its dependencies, its own migrated database, Prometheus metrics, OpenAPI
 * 3.1, and a graceful SIGTERM. `extra` adds the service's own cases (they run before the SIGTERM case).
 */
export function describeServiceBaseline(opts: BaselineOptions, extra?: (ctx: BaselineContext) => void): void {
  const usesKafka = opts.dependencies.includes('kafka');
  describe(`${opts.service} service process (real ${opts.dependencies.join(', ')})`, () => {
    let db: TestDatabase | undefined;
    let proc: ServiceProcess;
    let baseEnv: Record<string, string>;
    const env = () => baseEnv;

    beforeAll(async () => {
      baseEnv = { INTERNAL_TOKEN: randomBytes(16).toString('hex') };
      if (usesKafka) baseEnv.KAFKA_BROKERS = testKafkaBrokers().join(',');
      if (opts.dependencies.includes('database')) {
        db = await createTestDatabase(opts.service);
        baseEnv.DATABASE_URL = db.url;
      }
      if (opts.dependencies.includes('redis')) baseEnv.REDIS_URL = testRedisDb();
      proc = await startServiceProcess(opts.service, baseEnv);
    });

    afterAll(async () => {
      await proc?.kill();
      await db?.drop();
    });

    it(`is ready once ${opts.dependencies.join(', ')} answer, naming each`, async () => {
      const health = await waitFor(
        async () => {
          const h = await readiness(proc.url);
          const kafkaUp = !usesKafka || (h.body.details?.kafka?.status === 'up' && !h.body.details.kafka.degraded);
          return h.status === 200 && kafkaUp ? h : undefined;
        },
        20_000,
        200,
        `${opts.service} ready`,
      );
      const expected = Object.fromEntries(opts.dependencies.map((d) => [d, { status: 'up' }]));
      expect(health.body.details).toEqual(expected);
    });

    if (opts.tables?.length) {
      it('migrates its own database', async () => {
        const pg = new Client({ connectionString: db!.url });
        await pg.connect();
        try {
          const { rows } = await pg.query<{ table_name: string }>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
          );
          expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining([...opts.tables!, 'schema_migrations']));
        } finally {
          await pg.end();
        }
      });
    }

    it('exports the HTTP latency histogram, labelled by route', async () => {
      await fetch(`${proc.url}/health/live`);
      const text = await (await fetch(`${proc.url}/metrics`)).text();
      expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
      const live = text
        .split('\n')
        .find((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('route="/health/live"') && l.includes(`service="${opts.service}"`));
      expect(Number(live?.split(' ').pop())).toBeGreaterThanOrEqual(1);
    });

    it('serves an OpenAPI 3.1 document', async () => {
      const doc = (await (await fetch(`${proc.url}/openapi.json`)).json()) as { openapi: string; info: { title: string } };
      expect(doc.openapi).toMatch(/^3\.1\./);
      expect(doc.info.title).toBe(`Keyline ${opts.service}`);
    });

    if (usesKafka) it('stays ready with Kafka reported degraded when no broker answers', async () => {
      const noKafka = await startServiceProcess(opts.service, { ...env(), KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
      try {
        const h = await readiness(noKafka.url);
        expect(h.status).toBe(200);
        expect(h.body.details?.kafka).toEqual(expect.objectContaining({ status: 'up', degraded: true }));
        const t0 = Date.now();
        expect(await noKafka.stop()).toBe(0);
        expect(Date.now() - t0).toBeLessThan(10_000);
      } finally {
        await noKafka.kill();
      }
    });

    extra?.({ service: () => proc, env });

    it('drains and exits 0 within 10 s of SIGTERM', async () => {
      const t0 = Date.now();
      const code = await proc.stop();
      expect(code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    });
  });
}
