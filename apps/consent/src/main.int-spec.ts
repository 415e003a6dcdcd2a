import { randomBytes } from 'node:crypto';
import {
  ServiceProcess,
  TestDatabase,
  createTestDatabase,
  freePort,
  startServiceProcess,
  testKafkaBrokers,
  waitFor,
} from '@keyline/platform-testing';
import { Client } from 'pg';

type Health = { status: string; details?: Record<string, { status: string; degraded?: boolean; message?: string }> };

const ready = async (url: string) => {
  const r = await fetch(`${url}/health/ready`);
  return { status: r.status, body: (await r.json()) as Health };
};

describe('consent service process (real Postgres, Kafka)', () => {
  let db: TestDatabase;
  let consent: ServiceProcess;
  const env = () => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    INTERNAL_TOKEN: randomBytes(16).toString('hex'),
  });

  beforeAll(async () => {
    db = await createTestDatabase('consent');
    consent = await startServiceProcess('consent', env());
  });

  afterAll(async () => {
    await consent?.kill();
    await db?.drop();
  });

  it('is ready once its database and Kafka answer, naming each', async () => {
    const health = await waitFor(
      async () => {
        const h = await ready(consent.url);
        return h.status === 200 && h.body.details?.kafka?.status === 'up' && !h.body.details.kafka.degraded ? h : undefined;
      },
      20_000,
      200,
      'consent ready with Kafka connected',
    );
    expect(health!.body.details).toEqual({ database: { status: 'up' }, kafka: { status: 'up' } });
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
    await fetch(`${consent.url}/health/live`);
    const text = await (await fetch(`${consent.url}/metrics`)).text();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    const live = text
      .split('\n')
      .find((l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('route="/health/live"') && l.includes('service="consent"'));
    expect(Number(live?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const doc = (await (await fetch(`${consent.url}/openapi.json`)).json()) as { openapi: string; info: { title: string } };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBe('Keyline consent');
  });

  it('stays ready with Kafka reported degraded when no broker answers (writes go to the outbox)', async () => {
    const noKafka = await startServiceProcess('consent', { ...env(), KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    try {
      const h = await ready(noKafka.url);
      expect(h.status).toBe(200);
      expect(h.body.details?.kafka).toEqual(expect.objectContaining({ status: 'up', degraded: true }));
      expect(h.body.details?.database?.status).toBe('up');
      const t0 = Date.now();
      expect(await noKafka.stop()).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await noKafka.kill();
    }
  });

  it('drains and exits 0 within 10 s of SIGTERM', async () => {
    const t0 = Date.now();
    const code = await consent.stop();
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
