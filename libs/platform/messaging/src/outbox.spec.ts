import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataSourceOptions } from '@keyline/platform-persistence';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { OutboxEventEntity } from './entities';
import { EventEnvelope } from './envelope';
import { messagingEntities, messagingMigrations } from './index';
import { APPEND_MANY_CHUNK, Outbox } from './outbox';

type TestEvents = { 'thing.happened': { n: number }; 'other.happened': { s: string } };

/** Counts INSERT statements into the outbox. */
class InsertCounter implements TypeOrmLogger {
  inserts = 0;
  logQuery(query: string) {
    if (/^INSERT INTO "outbox_events"/i.test(query)) this.inserts++;
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

describe('outbox appendMany (embedded SQLite)', () => {
  let dir: string;
  let ds: DataSource;
  const counter = new InsertCounter();
  const outbox = new Outbox<TestEvents>({ 'thing.happened': 'keyline.test.thing.v1', 'other.happened': 'keyline.test.other.v1' });
  const meta = (subject: string) => ({ tenantId: 't1', actor: 'test', subject });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kl-outbox-'));
    ds = new DataSource({ ...dataSourceOptions({ service: 'outbox-spec', dataDir: dir, entities: messagingEntities, migrations: messagingMigrations }), logging: ['query'], logger: counter });
    await ds.initialize();
    await ds.runMigrations();
  });

  afterAll(async () => {
    await ds?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await ds.getRepository(OutboxEventEntity).clear();
    counter.inserts = 0;
  });

  const rows = () => ds.getRepository(OutboxEventEntity).find({ order: { seq: 'ASC' } });

  it('writes all events with one INSERT, in order, each with its topic, key and headers', async () => {
    const events = [
      { type: 'thing.happened' as const, meta: meta('a'), data: { n: 1 } },
      { type: 'other.happened' as const, meta: meta('b'), data: { s: 'x' } },
      { type: 'thing.happened' as const, meta: meta('c'), data: { n: 3 } },
    ];
    const envelopes = await ds.transaction((m) => outbox.appendMany(m, events));
    expect(counter.inserts).toBe(1);
    const stored = await rows();
    expect(stored.map((r) => [r.topic, r.messageKey])).toEqual([
      ['keyline.test.thing.v1', 't1'],
      ['keyline.test.other.v1', 't1'],
      ['keyline.test.thing.v1', 't1'],
    ]);
    const payloads = stored.map((r) => JSON.parse(r.payload) as EventEnvelope);
    expect(payloads.map((p) => [p.type, p.subject, p.data])).toEqual([
      ['thing.happened', 'a', { n: 1 }],
      ['other.happened', 'b', { s: 'x' }],
      ['thing.happened', 'c', { n: 3 }],
    ]);
    expect(payloads.map((p) => p.id)).toEqual(envelopes.map((e) => e.id));
    expect(new Set(payloads.map((p) => p.id)).size).toBe(3);
    expect(JSON.parse(stored[1].headers)).toEqual({ 'keyline-event-type': 'other.happened', 'keyline-tenant-id': 't1' });
    expect(stored.every((r) => r.sentAt === null)).toBe(true);
  });

  it('writes nothing for no events, and nothing of a rolled-back transaction', async () => {
    expect(await ds.transaction((m) => outbox.appendMany(m, []))).toEqual([]);
    await expect(
      ds.transaction(async (m) => {
        await outbox.appendMany(m, [{ type: 'thing.happened', meta: meta('x'), data: { n: 9 } }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rows()).toEqual([]);
  });

  it('splits very large appends below the bind-parameter limit', async () => {
    const n = APPEND_MANY_CHUNK + 10;
    await ds.transaction((m) => outbox.appendMany(m, Array.from({ length: n }, (_, i) => ({ type: 'thing.happened' as const, meta: meta(`s${i}`), data: { n: i } }))));
    expect(counter.inserts).toBe(2);
    const stored = await rows();
    expect(stored).toHaveLength(n);
    expect(stored.map((r) => (JSON.parse(r.payload) as EventEnvelope<{ n: number }>).data.n)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
