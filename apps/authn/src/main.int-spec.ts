import { randomBytes } from 'node:crypto';
import {
  ServiceProcess,
  TestDatabase,
  createTestDatabase,
  freePort,
  startServiceProcess,
  testKafkaBrokers,
  testRedisDb,
  waitFor,
} from '@keyline/platform-testing';
import { Client } from 'pg';

type Health = { status: string; details?: Record<string, { status: string; degraded?: boolean; message?: string }> };

const ready = async (url: string) => {
  const r = await fetch(`${url}/health/ready`);
  return { status: r.status, body: (await r.json()) as Health };
};

describe('authn service process (real Postgres, Redis, Kafka)', () => {
  let db: TestDatabase;
  let authn: ServiceProcess;
  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: testRedisDb(),
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    INTERNAL_TOKEN: randomBytes(16).toString('hex'),
  });

  beforeAll(async () => {
    db = await createTestDatabase('authn');
    authn = await startServiceProcess('authn', env());
  });

  afterAll(async () => {
    await authn?.kill();
    await db?.drop();
  });

  it('is ready once its database, Redis and Kafka answer, naming each', async () => {
    const health = await waitFor(
      async () => {
        const h = await ready(authn.url);
        return h.status === 200 && h.body.details?.kafka?.status === 'up' && !h.body.details.kafka.degraded ? h : undefined;
      },
      20_000,
      200,
      'authn ready with Kafka connected',
    );
    expect(health!.body.details).toEqual({
      database: { status: 'up' },
      redis: { status: 'up' },
      kafka: { status: 'up' },
    });
  });

  it('migrates its own database: outbox and processed-events tables', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['outbox_events', 'processed_events', 'schema_migrations']));
    } finally {
      await pg.end();
    }
  });

  it('exports the HTTP latency histogram, labelled by route', async () => {
    await fetch(`${authn.url}/health/live`);
    const text = await (await fetch(`${authn.url}/metrics`)).text();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    const live = text
      .split('\n')
      .find((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('route="/health/live"') && l.includes('service="authn"'));
    expect(Number(live?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const doc = (await (await fetch(`${authn.url}/openapi.json`)).json()) as { openapi: string; info: { title: string } };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBe('Keyline authn');
  });

  it('reports 503 naming Redis when Redis does not answer', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const broken = await startServiceProcess('authn', { ...env(), REDIS_URL: deadRedis });
    try {
      const h = await ready(broken.url);
      expect(h.status).toBe(503);
      expect(h.body.details?.redis?.status).toBe('down');
      expect(h.body.details?.database?.status).toBe('up');
    } finally {
      await broken.kill();
    }
  });

  it('drains and exits 0 within 10 s of SIGTERM', async () => {
    const t0 = Date.now();
    const code = await authn.stop();
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
