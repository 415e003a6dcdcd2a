import { randomBytes, randomUUID } from 'node:crypto';
import { Metrics, createLogger } from '@keyline/platform-observability';
import { openDatabase } from '@keyline/platform-persistence';
import { TestDatabase, createTestDatabase, testKafkaBrokers, waitFor } from '@keyline/platform-testing';
import { Admin, Consumer, Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { EventConsumer } from './consumer';
import { OutboxEventEntity, ProcessedEventEntity } from './entities';
import { EventEnvelope, Headers, envelope } from './envelope';
import { PermanentError } from './errors';
import { deadLetterTopic, ensureTopics } from './kafka';
import { messagingEntities, messagingMigrations } from './index';
import { Outbox, OutboxRelay } from './outbox';

type TestEvents = { 'thing.happened': { n: number } };

const logger = createLogger('messaging-test', 'silent');
const run = randomBytes(4).toString('hex');
const topic = `keyline.test.${run}.v1`;

async function collect(kafka: Kafka, topics: string[], until: (msgs: KafkaMessage[]) => boolean): Promise<KafkaMessage[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}` });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
  try {
    await waitFor(() => until(seen), 30_000, 100, 'messages');
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('transactional outbox and idempotent consumers on real Postgres and Kafka', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let admin: Admin;
  let relay: OutboxRelay;
  let outbox: Outbox<TestEvents>;

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
    ds = await openDatabase({ service: 'messaging-test', url: db.url, dataDir: '.data', entities: messagingEntities, migrations: messagingMigrations });
    kafka = new Kafka({ brokers: testKafkaBrokers(), clientId: 'messaging-test', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, partitions: 3, replicationFactor: 1, retentionMs: 3600_000 }]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    relay = new OutboxRelay(ds, producer, logger, new Metrics('messaging-test'), { pollMs: 50, lockKey: 4242 });
    outbox = new Outbox<TestEvents>({ 'thing.happened': topic }, relay);
  });

  afterAll(async () => {
    await relay?.stop(500);
    await producer?.disconnect();
    await admin?.disconnect();
    await ds?.destroy();
    await db?.drop();
  });

  it('publishes committed events in order per key, and nothing of a rolled-back transaction', async () => {
    const tenants = [`t-${run}-a`, `t-${run}-b`];
    for (let n = 0; n < 20; n++) {
      await ds.transaction((m) => outbox.append(m, 'thing.happened', { tenantId: tenants[n % 2], actor: 'test', subject: `s${n}` }, { n }));
    }
    await expect(
      ds.transaction(async (m) => {
        await outbox.append(m, 'thing.happened', { tenantId: tenants[0], actor: 'test', subject: 'rolled-back' }, { n: 999 });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    relay.start();

    const msgs = await collect(kafka, [topic], (m) => m.length >= 20);
    const events = msgs.map((m) => JSON.parse(m.value!.toString()) as EventEnvelope<{ n: number }>);
    expect(events.map((e) => e.data.n)).not.toContain(999);
    for (const t of tenants) {
      const ns = events.filter((e) => e.tenantId === t).map((e) => e.data.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
      expect(new Set(ns).size).toBe(10);
    }
    expect(msgs[0].headers?.[Headers.eventType]?.toString()).toBe('thing.happened');
    const unsent = () => ds.getRepository(OutboxEventEntity).createQueryBuilder('o').where('o.sentAt IS NULL').getCount();
    await waitFor(async () => (await unsent()) === 0, 10_000, 100, 'outbox rows marked sent');
    expect(await ds.getRepository(OutboxEventEntity).count()).toBe(20);
  });

  it('appendMany commits many events with one insert and they are published in order', async () => {
    const tenant = `t-${run}-many`;
    const events = Array.from({ length: 600 }, (_, n) => ({ type: 'thing.happened' as const, meta: { tenantId: tenant, actor: 'test', subject: `m${n}` }, data: { n } }));
    await ds.transaction((m) => outbox.appendMany(m, events));
    relay.start();
    const mine = (msgs: KafkaMessage[]) => msgs.filter((m) => m.headers?.[Headers.tenantId]?.toString() === tenant);
    const msgs = mine(await collect(kafka, [topic], (m) => mine(m).length >= 600));
    expect(msgs.map((m) => (JSON.parse(m.value!.toString()) as EventEnvelope<{ n: number }>).data.n)).toEqual(events.map((e) => e.data.n));
  });

  it('publishes an event whose transaction commits after later events were already sent', async () => {
    const tenant = `t-${run}-late`;
    relay.start();
    // The slow transaction takes its seq first, then holds its commit while a quicker one is published.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = ds.transaction(async (m) => {
      await outbox.append(m, 'thing.happened', { tenantId: tenant, actor: 'test', subject: 'late' }, { n: 1 });
      await held;
    });
    await new Promise((r) => setTimeout(r, 200));
    await ds.transaction((m) => outbox.append(m, 'thing.happened', { tenantId: tenant, actor: 'test', subject: 'early' }, { n: 2 }));
    const mine = (msgs: KafkaMessage[]) => msgs.filter((m) => m.headers?.[Headers.tenantId]?.toString() === tenant);
    await collect(kafka, [topic], (m) => mine(m).length >= 1);
    release();
    await slow;
    const msgs = mine(await collect(kafka, [topic], (m) => mine(m).length >= 2));
    expect(msgs.map((m) => (JSON.parse(m.value!.toString()) as EventEnvelope<{ n: number }>).data.n).sort()).toEqual([1, 2]);
  });

  it('handles each event once, retries transient failures and dead-letters poison messages', async () => {
    const inTopic = `keyline.test.${run}.in.v1`;
    const groupId = `test-consumer-${run}`;
    await ensureTopics(admin, [
      { topic: inTopic, partitions: 1, replicationFactor: 1, retentionMs: 3600_000 },
      { topic: deadLetterTopic(groupId), partitions: 1, replicationFactor: 1, retentionMs: 3600_000 },
    ]);
    const handled: string[] = [];
    let flaky = 0;
    const consumer = new EventConsumer(kafka, producer, ds, logger, new Metrics('consumer-test'), {
      groupId,
      topics: [inTopic],
      retryBaseMs: 10,
      maxAttempts: 4,
      handlers: {
        'ok.event': async (e) => void handled.push(e.id),
        'flaky.event': async (e) => {
          if (++flaky < 3) throw new Error('database hiccup');
          handled.push(e.id);
        },
        'bad.event': async () => {
          throw new PermanentError('references a tenant that does not exist');
        },
      },
    });
    const meta = { tenantId: 't', actor: 'test', subject: 's' };
    const ok = envelope('ok.event', meta, {});
    const flakyEvent = envelope('flaky.event', meta, {});
    const bad = envelope('bad.event', meta, {});
    const after = envelope('ok.event', meta, {});
    const messages = [ok, ok, { poison: true }, flakyEvent, bad, after].map((v) => ({ key: 't', value: JSON.stringify(v) }));
    messages.splice(2, 0, { key: 't', value: 'not json at all' });
    await producer.send({ topic: inTopic, messages });
    await consumer.start();
    try {
      await waitFor(() => handled.includes(after.id), 30_000, 50, 'the last event');
      expect(handled).toEqual([ok.id, flakyEvent.id, after.id]);
      expect(flaky).toBe(3);
      const dead = await collect(kafka, [deadLetterTopic(groupId)], (m) => m.length >= 3);
      const reasons = dead.map((m) => m.headers?.[Headers.dltReason]?.toString());
      expect(reasons).toEqual(['unparseable', 'unparseable', 'permanent']);
      expect(dead[2].headers?.[Headers.dltTopic]?.toString()).toBe(inTopic);
      expect(dead[2].headers?.[Headers.dltError]?.toString()).toContain('does not exist');
      const processed = await ds.getRepository(ProcessedEventEntity).countBy({ consumerGroup: groupId });
      expect(processed).toBe(3); // ok, flaky, after; the duplicate was skipped, the permanent one rolled back
    } finally {
      await consumer.stop();
    }
  });
});
