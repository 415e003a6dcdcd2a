import { randomBytes } from 'node:crypto';
import type { AuditEventPageDto } from '@keyline/audit-contracts';
import type { Principal } from '@keyline/platform-http';
import {
  PrivateKafka,
  ServiceProcess,
  TestDatabase,
  createTestDatabase,
  privateKafka,
  startServiceProcess,
  testRedisDb,
  waitFor,
} from '@keyline/platform-testing';
import { Client } from 'pg';
import { serviceClient, tenantPrincipal } from '../../test/audit-api';

/**
 * Acceptance: a Kafka outage loses nothing and duplicates nothing. The real directory service takes
 * writes while its broker is down (they wait in its transactional outbox); once the broker is back,
 * every event reaches the audit log exactly once and, per Kafka key and topic, in the order written.
 */
type OutboxRow = { seq: string; eventId: string; topic: string; messageKey: string; sentAt: string | null };
type AuditRow = { seq: string; eventId: string; tenantId: string; type: string };
type Health = { details?: Record<string, { status: string; degraded?: boolean }> };

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query<T>(sql)).rows;
  } finally {
    await pg.end();
  }
}

const kafkaConnected = async (url: string) => {
  const r = await fetch(`${url}/health/ready`);
  const h = (await r.json()) as Health;
  return r.status === 200 && h.details?.kafka?.status === 'up' && !h.details.kafka.degraded;
};

describe('Kafka outage between the directory and the audit log', () => {
  const internalToken = randomBytes(16).toString('hex');
  const platform: Principal = { kind: 'platform', keyId: 'outage-test', scopes: [] };
  const run = randomBytes(3).toString('hex');
  let broker: PrivateKafka;
  let directoryDb: TestDatabase;
  let auditDb: TestDatabase;
  let directory: ServiceProcess;
  let audit: ServiceProcess;
  let dir: ReturnType<typeof serviceClient>;
  let auditApi: ReturnType<typeof serviceClient>;

  const write = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const init: RequestInit = { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) };
    const t0 = Date.now();
    const res = await dir<T>(path, platform, init);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    // The write commits with its outbox row; it never waits for Kafka.
    expect(Date.now() - t0).toBeLessThan(3000);
    return res.body;
  };

  beforeAll(async () => {
    [broker, directoryDb, auditDb] = await Promise.all([
      privateKafka(),
      createTestDatabase('outage_directory'),
      createTestDatabase('outage_audit'),
    ]);
    const common = {
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC_PARTITIONS: '3',
      INTERNAL_TOKEN: internalToken,
      OUTBOX_POLL_MS: '100',
    };
    // The services start without Kafka and connect once it is up, so all three boot at once.
    const started = await Promise.allSettled([
      startServiceProcess('directory', {
        ...common,
        DATABASE_URL: directoryDb.url,
        REDIS_URL: testRedisDb(),
        PLATFORM_ADMIN_API_KEY: `kl_admin_${randomBytes(32).toString('base64url')}`,
      }),
      startServiceProcess('audit', { ...common, DATABASE_URL: auditDb.url }),
      broker.start(),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((r) => (r.status === 'fulfilled' && r.value ? r.value.kill() : undefined)));
      throw failed.reason;
    }
    [directory, audit] = started.map((r) => (r as PromiseFulfilledResult<ServiceProcess>).value);
    dir = serviceClient(directory.url, internalToken);
    auditApi = serviceClient(audit.url, internalToken);
    await waitFor(async () => (await kafkaConnected(directory.url)) && (await kafkaConnected(audit.url)), 30_000, 200, 'both services on Kafka');
  });

  afterAll(async () => {
    const codes = await Promise.all([directory?.stop(), audit?.stop()]);
    await Promise.all([broker?.destroy(), directoryDb?.drop(), auditDb?.drop()]);
    expect(codes).toEqual([0, 0]);
  });

  it('loses nothing and duplicates nothing while the broker is down, and keeps per-key order', async () => {
    // The pipeline works end to end before the outage (the audit consumer group has joined).
    const warm = await write<{ id: string }>('POST', '/v1/tenants', { slug: `warm-${run}`, name: 'Warm-up' });
    await waitFor(
      async () => (await auditApi<AuditEventPageDto>('/v1/audit/events', tenantPrincipal(warm.id))).body.items?.length === 1,
      30_000,
      200,
      'the warm-up event in audit',
    );

    await broker.stop();

    // Round-robin over three tenants, so that every partition carries interleaved keys.
    const slugs = [0, 1, 2].map((i) => `outage-${run}-${i}`);
    const tenants: Record<string, string> = {};
    const keys: Record<string, string> = {};
    for (const slug of slugs) tenants[slug] = (await write<{ id: string }>('POST', '/v1/tenants', { slug, name: `Tenant ${slug}` })).id;
    for (const slug of slugs) await write('POST', `/v1/tenants/${slug}/api-keys`, { name: 'backend', scopes: ['admin'] });
    for (const slug of slugs) {
      keys[slug] = (await write<{ id: string }>('POST', `/v1/tenants/${slug}/api-keys`, { name: 'ci', scopes: ['audit:read'] })).id;
    }
    for (const slug of slugs) await write('PATCH', `/v1/tenants/${slug}`, { name: `Renamed ${slug}` });
    for (const slug of slugs) await write('DELETE', `/v1/tenants/${slug}/api-keys/${keys[slug]}`);

    // Still serving, Kafka reported degraded, and all fifteen events waiting in the outbox.
    await waitFor(async () => {
      const r = await fetch(`${directory.url}/health/ready`);
      return r.status === 200 && ((await r.json()) as Health).details?.kafka?.degraded === true;
    }, 15_000, 250, 'directory ready with Kafka degraded');
    const pending = await query<OutboxRow>(directoryDb.url, 'SELECT "eventId" FROM outbox_events WHERE "sentAt" IS NULL');
    expect(pending).toHaveLength(15);
    const ids = Object.values(tenants).map((t) => `'${t}'`).join(',');
    expect(await query(auditDb.url, `SELECT 1 FROM audit_events WHERE "tenantId" IN (${ids})`)).toHaveLength(0);

    await broker.start();

    const outbox = await query<OutboxRow>(directoryDb.url, 'SELECT seq, "eventId", topic, "messageKey", "sentAt" FROM outbox_events ORDER BY seq');
    expect(outbox).toHaveLength(16);
    const expected = new Set(outbox.map((r) => r.eventId));
    const stored = await waitFor(
      async () => {
        const rows = await query<AuditRow>(auditDb.url, 'SELECT seq, "eventId", "tenantId", type FROM audit_events ORDER BY seq');

        return rows.filter((r) => expected.has(r.eventId)).length >= expected.size ? rows : undefined;
      },
      60_000,
      250,
      'every outbox event in the audit log',
    );

    // Exactly once: every event id once, none missing, nothing else.
    const counts = new Map<string, number>();
    for (const r of stored!) counts.set(r.eventId, (counts.get(r.eventId) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual([...expected].sort());

    // In order per key: Kafka orders a key within a topic, so for each tenant and topic the audit
    // log's receipt order is the directory's write (outbox) order.
    const streams = new Map<string, string[]>();
    for (const r of outbox) streams.set(`${r.messageKey} ${r.topic}`, [...(streams.get(`${r.messageKey} ${r.topic}`) ?? []), r.eventId]);
    expect(streams.size).toBe(7); // the warm-up tenant on one topic, three tenants on two
    for (const [stream, written] of streams) {
      const members = new Set(written);
      expect({ stream, order: stored!.filter((r) => members.has(r.eventId)).map((r) => r.eventId) }).toEqual({ stream, order: written });
    }
    const byTenant = (slug: string) => stored!.filter((r) => r.tenantId === tenants[slug]).map((r) => r.type);
    for (const slug of slugs) {
      expect(byTenant(slug).filter((t) => t.startsWith('api-key.'))).toEqual(['api-key.created', 'api-key.created', 'api-key.revoked']);
      expect(byTenant(slug).filter((t) => t.startsWith('tenant.'))).toEqual(['tenant.created', 'tenant.updated']);
    }

    // And the tenant sees it through the API.
    const revoked = await auditApi<AuditEventPageDto>('/v1/audit/events?type=api-key.revoked', tenantPrincipal(tenants[slugs[1]]));
    expect(revoked.body.items.map((e) => e.subject)).toEqual([keys[slugs[1]]]);
  });
});
