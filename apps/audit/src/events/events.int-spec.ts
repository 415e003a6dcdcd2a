import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditEventDto, AuditEventPageDto } from '@keyline/audit-contracts';
import { AUDIT_DEAD_LETTER_TOPIC } from '@keyline/audit-contracts';
import { DirectoryEventTopics, DirectoryEvents, DirectoryPublicTopics, DirectoryTopics } from '@keyline/directory-contracts';
import type { ProblemBody } from '@keyline/platform-http';
import { EventEnvelope, Headers, envelope } from '@keyline/platform-messaging';
import {
  PrivateKafka,
  ServiceProcess,
  TestDatabase,
  createTestDatabase,
  startPrivateKafka,
  startServiceProcess,
  waitFor,
} from '@keyline/platform-testing';
import { Admin, Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { serviceClient, readAllAuditEvents, tenantPrincipal } from '../../test/audit-api';

type DirectoryEvent = { [K in keyof DirectoryEvents]: EventEnvelope<DirectoryEvents[K], K> }[keyof DirectoryEvents];

const T0 = Date.parse('2031-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const sortIds = (events: { id: string }[]) => events.map((e) => e.id).sort();

function event<K extends keyof DirectoryEvents>(
  type: K,
  tenantId: string,
  subject: string,
  minutes: number,
  data: DirectoryEvents[K],
  actor = 'platform-admin:p1',
): EventEnvelope<DirectoryEvents[K], K> {
  return envelope(type, { tenantId, subject, actor, occurredAt: at(minutes) }, data);
}

describe('audit log fed from the directory topics (real Postgres, private Kafka broker)', () => {
  const internalToken = randomBytes(16).toString('hex');
  const tA = randomUUID();
  const tB = randomUUID();
  const [k1, k2, k3, kB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const secretKey = `kl_${randomBytes(32).toString('base64url')}`;
  const tenantData = (id: string) => ({ id, slug: `s-${id.slice(0, 8)}`, name: 'Acme', createdAt: iso(0) });
  const keyData = (id: string, tenantId: string, name: string) => ({ id, tenantId, name, prefix: 'kl_ab12', scopes: ['admin'] });

  const e1 = event('tenant.created', tA, tA, 0, tenantData(tA));
  const e2 = event('api-key.created', tA, k1, 1, {
    ...keyData(k1, tA, 'backend'),
    // A careless producer: none of these may reach the audit store.
    key: secretKey,
    keyHash: 'f'.repeat(64),
    nested: { clientSecret: 'shh', note: `rotated from ${secretKey}` },
  } as DirectoryEvents['api-key.created']);
  const e3 = event('api-key.created', tA, k2, 2, keyData(k2, tA, 'reader'), `api-key:${k1}`);
  const e4 = event('tenant.updated', tA, tA, 3, { ...tenantData(tA), name: 'Acme Inc', changes: ['name'] }, `api-key:${k1}`);
  const e5 = event('api-key.revoked', tA, k2, 4, { ...keyData(k2, tA, 'reader'), revokedAt: iso(4) }, `api-key:${k1}`);
  const e8 = event('api-key.created', tA, k3, 5, keyData(k3, tA, 'after-poison'));
  const e6 = event('tenant.created', tB, tB, 0, tenantData(tB));
  const e7 = event('api-key.created', tB, kB, 1, keyData(kB, tB, 'b'));
  const ofA = [e1, e2, e3, e4, e5, e8];
  const ofB = [e6, e7];
  const A = tenantPrincipal(tA);
  const B = tenantPrincipal(tB);

  let broker: PrivateKafka;
  let db: TestDatabase;
  let audit: ServiceProcess;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let call: ReturnType<typeof serviceClient>;
  let storedA: AuditEventDto[];

  const message = (e: DirectoryEvent | string, key: string) => ({ key, value: typeof e === 'string' ? e : JSON.stringify(e) });

  beforeAll(async () => {
    [broker, db] = await Promise.all([startPrivateKafka(), createTestDatabase('audit_events')]);
    audit = await startServiceProcess('audit', {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC_PARTITIONS: '3',
      INTERNAL_TOKEN: internalToken,
    });
    call = serviceClient(audit.url, internalToken);
    kafka = new Kafka({ brokers: broker.brokers, clientId: 'audit-test', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    // The audit service provisions the topics it reads and its dead-letter topic.
    await waitFor(
      async () => {
        const topics = await admin.listTopics();
        return [...DirectoryPublicTopics, AUDIT_DEAD_LETTER_TOPIC].every((t) => topics.includes(t));
      },
      30_000,
      200,
      'topics provisioned by audit',
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const poison = [
      'not json at all',
      JSON.stringify({ id: 'x', type: 'api-key.created' }),
      JSON.stringify({ ...event('api-key.created', tA, k3, 5, keyData(k3, tA, 'bad')), occurredAt: 'yesterday' }),
    ];
    // Keyed by tenant like the directory's outbox; e2 and e6 are delivered twice.
    await producer.send({ topic: DirectoryTopics.tenant, acks: -1, messages: [message(e1, tA), message(e4, tA), message(e6, tB), message(e6, tB)] });
    await producer.send({
      topic: DirectoryTopics.apiKey,
      acks: -1,
      messages: [e2, e2, e3, e5, ...poison, e8].map((e) => message(e, tA)),
    });
    await producer.send({ topic: DirectoryEventTopics['api-key.created'], acks: -1, messages: [message(e7, tB)] });

    storedA = (await waitFor(
      async () => {
        const [a, b] = await Promise.all([readAllAuditEvents(call, A), readAllAuditEvents(call, B)]);
        return a.length >= ofA.length && b.length >= ofB.length ? a : undefined;
      },
      45_000,
      250,
      'every event in the audit log',
    ))!;
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    const code = await audit?.stop();
    await Promise.all([broker?.destroy(), db?.drop()]);
    expect(code).toBe(0);
  });

  it('stores every event exactly once, even when it was delivered twice', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ eventId: string; n: string }>(
        'SELECT "eventId", COUNT(*) AS n FROM audit_events GROUP BY "eventId"',
      );
      expect(rows.map((r) => r.eventId).sort()).toEqual(sortIds([...ofA, ...ofB]));
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await pg.end();
    }
    expect(sortIds(storedA)).toEqual(sortIds(ofA));
  });

  it('answers the contract shape and keeps per-key order', async () => {
    const stored = storedA.find((e) => e.id === e3.id);
    expect(stored).toEqual({
      id: e3.id,
      type: 'api-key.created',
      tenantId: tA,
      actor: `api-key:${k1}`,
      subject: k2,
      occurredAt: iso(2),
      data: keyData(k2, tA, 'reader'),
    });
    // One topic, one key, one partition: received in the order written.
    expect(storedA.filter((e) => e.type.startsWith('api-key.')).map((e) => e.id)).toEqual([e2.id, e3.id, e5.id, e8.id]);
    expect(storedA.filter((e) => e.type.startsWith('tenant.')).map((e) => e.id)).toEqual([e1.id, e4.id]);
  });

  it('never stores secret-looking fields or API key values', async () => {
    const res = await call<AuditEventDto>(`/v1/audit/events/${e2.id}`, A);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      ...keyData(k1, tA, 'backend'),
      nested: { note: 'rotated from [redacted]' },
    });
    expect(JSON.stringify(res.body)).not.toContain(secretKey);
  });

  it('filters by exact type and by type prefix', async () => {
    const q = async (query: string) => {
      const r = await call<AuditEventPageDto>(`/v1/audit/events?${query}`, A);
      expect(r.status).toBe(200);
      return r.body.items;
    };
    expect(sortIds(await q('type=api-key.created'))).toEqual(sortIds([e2, e3, e8]));
    expect(sortIds(await q('type=api-key.*'))).toEqual(sortIds([e2, e3, e5, e8]));
    expect(sortIds(await q('type=api-key.'))).toEqual(sortIds([e2, e3, e5, e8]));
    expect(sortIds(await q('type=tenant*'))).toEqual(sortIds([e1, e4]));
    expect(await q('type=api-key')).toEqual([]);
    expect(sortIds(await q('type=*'))).toEqual(sortIds(ofA));
  });

  it('filters by subject, actor and a half-open time range', async () => {
    const q = async (query: string) => sortIds((await call<AuditEventPageDto>(`/v1/audit/events?${query}`, A)).body.items);
    expect(await q(`subject=${k2}`)).toEqual(sortIds([e3, e5]));
    expect(await q(`actor=${encodeURIComponent(`api-key:${k1}`)}`)).toEqual(sortIds([e3, e4, e5]));
    expect(await q(`since=${iso(2)}&until=${iso(4)}`)).toEqual(sortIds([e3, e4]));
    expect(await q(`since=${encodeURIComponent('2031-01-01T01:04:00+01:00')}`)).toEqual(sortIds([e5, e8]));
    expect(await q(`subject=${k2}&type=api-key.revoked&since=${iso(4)}`)).toEqual([e5.id]);
  });

  it('pages through everything with opaque cursors, newest first by default', async () => {
    const all = (await call<AuditEventPageDto>('/v1/audit/events?limit=200', A)).body.items.map((e) => e.id);
    expect(all).toEqual([...storedA].reverse().map((e) => e.id));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: AuditEventPageDto } = await call<AuditEventPageDto>(
        `/v1/audit/events?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        A,
      );
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...r.body.items.map((e) => e.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual(all);

    const first = await call<AuditEventPageDto>('/v1/audit/events?limit=2&order=asc', A);
    expect(first.body.items.map((e) => e.id)).toEqual(storedA.slice(0, 2).map((e) => e.id));
    const next = await call<AuditEventPageDto>(`/v1/audit/events?limit=2&cursor=${first.body.nextCursor}`, A);
    expect(next.body.items.map((e) => e.id)).toEqual(storedA.slice(2, 4).map((e) => e.id));
    const conflicting = await call<ProblemBody>(`/v1/audit/events?order=desc&cursor=${first.body.nextCursor}`, A);
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.errors).toEqual([expect.objectContaining({ field: 'order' })]);
  });

  it("keeps tenants apart: B sees nothing of A, and A's event ids are 404 for B", async () => {
    const b = await readAllAuditEvents(call, B);
    expect(sortIds(b)).toEqual(sortIds(ofB));
    expect(b.every((e) => e.tenantId === tB)).toBe(true);
    const theirs = await call<ProblemBody>(`/v1/audit/events/${e1.id}`, B);
    expect(theirs.status).toBe(404);
    expect(theirs.contentType).toMatch(/^application\/problem\+json/);
    expect(theirs.body.code).toBe('audit_event_not_found');
    expect(JSON.stringify(theirs.body)).not.toContain(tA);
    expect((await call(`/v1/audit/events/${e1.id}`, A)).status).toBe(200);
  });

  it('needs a tenant key with audit:read or admin', async () => {
    expect((await call<ProblemBody>('/v1/audit/events')).status).toBe(401);
    const narrow = await call<ProblemBody>('/v1/audit/events', tenantPrincipal(tA, ['users:read']));
    expect(narrow.status).toBe(403);
    expect(narrow.body.code).toBe('insufficient_scope');
    expect((await call(`/v1/audit/events/${e1.id}`, tenantPrincipal(tA, ['users:read']))).status).toBe(403);
    expect((await call('/v1/audit/events', { kind: 'platform', keyId: 'p1', scopes: [] })).status).toBe(403);
    expect((await call('/v1/audit/events', tenantPrincipal(tA, ['admin']))).status).toBe(200);
  });

  it('answers bad query values with 400 problem+json naming each field', async () => {
    const bad = await call<ProblemBody>(
      '/v1/audit/events?limit=0&since=2031-02-30&until=soon&order=sideways&type=api%20key&colour=red',
      A,
    );
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/^application\/problem\+json/);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['colour', 'limit', 'order', 'since', 'type', 'until']);
    const cases: [string, string][] = [
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=2.5', 'limit'],
      ['since=2031-01-01T10:00:00', 'since'],
      [`since=${iso(3)}&until=${iso(1)}`, 'until'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['cursor=a.b', 'cursor'],
      ['type=a&type=b', 'type'],
    ];
    for (const [query, field] of cases) {
      const r = await call<ProblemBody>(`/v1/audit/events?${query}`, A);
      expect({ query, status: r.status, fields: r.body.errors?.map((e) => e.field) }).toEqual({ query, status: 400, fields: [field] });
    }
    const badId = await call<ProblemBody>('/v1/audit/events/not-a-uuid', A);
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual([expect.objectContaining({ field: 'id' })]);
  });

  it('sends poison messages to the dead-letter topic with the reason, and keeps consuming', async () => {
    const consumer = kafka.consumer({ groupId: `dlt-reader-${randomUUID()}` });
    const dead: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [AUDIT_DEAD_LETTER_TOPIC], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message: m }) => void dead.push(m) });
    try {
      await waitFor(() => dead.length >= 3, 30_000, 100, 'dead letters');
    } finally {
      await consumer.disconnect();
    }
    const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
    expect(dead.map((m) => header(m, Headers.dltReason))).toEqual(['unparseable', 'unparseable', 'permanent']);
    expect(dead.every((m) => header(m, Headers.dltTopic) === DirectoryTopics.apiKey)).toBe(true);
    expect(header(dead[1], Headers.dltError)).toContain('envelope lacks');
    expect(header(dead[2], Headers.dltError)).toContain('occurredAt');
    expect(dead[0].value?.toString()).toBe('not json at all');
    // Published after the poison on the same partition: the consumer moved on.
    expect(storedA.map((e) => e.id)).toContain(e8.id);
  });
});
