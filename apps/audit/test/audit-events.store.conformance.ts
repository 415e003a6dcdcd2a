import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditEventStore, NewAuditEvent } from '../src/events/audit-events.store';

export interface StoreUnderTest {
  store: AuditEventStore;
  /** The transaction-scoped manager `append` receives (the real consumer passes its transaction's). */
  manager: EntityManager;
  close(): Promise<void>;
}

const T0 = Date.parse('2032-06-01T00:00:00Z');

/** Behaviour every AuditEventStore must have; each implementation runs it against its own backend. */
export function describeAuditEventStoreConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`AuditEventStore conformance: ${name}`, () => {
    let s: StoreUnderTest;
    let tenant: string;
    let other: string;
    let appended: NewAuditEvent[];

    const make = (tenantId: string, type: string, minutes: number, extra: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
      eventId: randomUUID(),
      tenantId,
      type,
      actor: 'platform-admin:p',
      subject: 'subject-1',
      occurredAt: String(T0 + minutes * 60_000),
      receivedAt: String(T0),
      schemaVersion: 1,
      data: '{}',
      ...extra,
    });
    const ids = (rows: { eventId: string }[]) => rows.map((r) => r.eventId);

    beforeAll(async () => {
      s = await open();
    });
    afterAll(async () => {
      await s?.close();
    });

    beforeEach(async () => {
      // Fresh tenants per case keep the cases independent on a shared backend.
      tenant = `t-${randomUUID()}`;
      other = `t-${randomUUID()}`;
      appended = [
        make(tenant, 'tenant.created', 0),
        make(tenant, 'api-key.created', 1, { subject: 'k1', actor: 'api-key:k0' }),
        make(other, 'api-key.created', 1),
        make(tenant, 'api-keys.listed', 2),
        make(tenant, 'api-key.revoked', 3, { subject: 'k1' }),
        make(tenant, 'API-KEY.created', 4),
      ];
      for (const e of appended) await s.store.append(s.manager, e);
    });

    const mine = () => appended.filter((e) => e.tenantId === tenant);

    it('returns only the tenant’s events, in append order or reversed', async () => {
      expect(ids(await s.store.find({ tenantId: tenant, order: 'asc', limit: 100 }))).toEqual(ids(mine()));
      expect(ids(await s.store.find({ tenantId: tenant, order: 'desc', limit: 100 }))).toEqual(ids(mine()).reverse());
      const theirs = await s.store.find({ tenantId: other, order: 'asc', limit: 100 });
      expect(ids(theirs)).toEqual([appended[2].eventId]);
    });

    it('keeps every column and assigns increasing seqs', async () => {
      const rows = await s.store.find({ tenantId: tenant, order: 'asc', limit: 100 });
      expect({ ...rows[1], seq: undefined }).toEqual({ ...appended[1], seq: undefined });
      const seqs = rows.map((r) => BigInt(r.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it('ignores a second append of the same event id', async () => {
      await s.store.append(s.manager, { ...appended[0], data: '{"changed":true}' });
      const rows = await s.store.find({ tenantId: tenant, order: 'asc', limit: 100 });
      expect(ids(rows)).toEqual(ids(mine()));
      expect(rows[0].data).toBe('{}');
    });

    it('matches types exactly, or by case-sensitive prefix', async () => {
      const byType = async (type: { exact: string } | { prefix: string }) =>
        ids(await s.store.find({ tenantId: tenant, type, order: 'asc', limit: 100 }));
      expect(await byType({ exact: 'api-key.created' })).toEqual([appended[1].eventId]);
      expect(await byType({ prefix: 'api-key.' })).toEqual([appended[1].eventId, appended[4].eventId]);
      expect(await byType({ prefix: 'api-key' })).toEqual([appended[1].eventId, appended[3].eventId, appended[4].eventId]);
      expect(await byType({ prefix: 'API-' })).toEqual([appended[5].eventId]);
      expect(await byType({ exact: 'api-key' })).toEqual([]);
    });

    it('filters by subject, actor and a half-open occurrence range', async () => {
      const q = async (extra: object) => ids(await s.store.find({ tenantId: tenant, order: 'asc', limit: 100, ...extra }));
      expect(await q({ subject: 'k1' })).toEqual([appended[1].eventId, appended[4].eventId]);
      expect(await q({ actor: 'api-key:k0' })).toEqual([appended[1].eventId]);
      expect(await q({ since: T0 + 60_000, until: T0 + 3 * 60_000 })).toEqual([appended[1].eventId, appended[3].eventId]);
      expect(await q({ since: T0 + 4 * 60_000 })).toEqual([appended[5].eventId]);
      expect(await q({ until: T0 })).toEqual([]);
    });

    it('continues after a seq in either direction, up to the limit', async () => {
      const all = await s.store.find({ tenantId: tenant, order: 'asc', limit: 100 });
      const after = await s.store.find({ tenantId: tenant, order: 'asc', limit: 2, afterSeq: all[1].seq });
      expect(ids(after)).toEqual(ids(all.slice(2, 4)));
      const before = await s.store.find({ tenantId: tenant, order: 'desc', limit: 10, afterSeq: all[2].seq });
      expect(ids(before)).toEqual(ids(all.slice(0, 2)).reverse());
      // Seqs compare as numbers, not strings ("10" > "9").
      const big = await s.store.find({ tenantId: tenant, order: 'desc', limit: 10, afterSeq: '99999999999' });
      expect(ids(big)).toEqual(ids(all).reverse());
    });

    it('finds one event only within its tenant', async () => {
      expect((await s.store.findOne(tenant, appended[1].eventId))?.eventId).toBe(appended[1].eventId);
      expect(await s.store.findOne(other, appended[1].eventId)).toBeNull();
      expect(await s.store.findOne(tenant, randomUUID())).toBeNull();
    });
  });
}
