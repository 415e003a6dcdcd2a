import { randomUUID } from 'node:crypto';
import { EventEnvelope, PermanentError, envelope } from '@keyline/platform-messaging';
import type { EntityManager } from 'typeorm';
import { InMemoryAuditEventStore } from '../../test/in-memory-audit-events.store';
import { Clock } from '../clock';
import { AuditEventQueryDto } from './dto/audit-event-query.dto';
import { encodeCursor } from './events.cursor';
import { AuditException } from './events.exception';
import { EventsService } from './events.service';

class FixedClock extends Clock {
  constructor(public time = new Date('2030-05-05T05:05:05.000Z')) {
    super();
  }
  now(): Date {
    return this.time;
  }
}

const manager = {} as EntityManager;
const query = (q: Partial<AuditEventQueryDto> = {}) => Object.assign(new AuditEventQueryDto(), q);

describe('EventsService', () => {
  let store: InMemoryAuditEventStore;
  let service: EventsService;
  const tenant = 'tenant-a';

  const ev = (type: string, minutes = 0, extra: Partial<EventEnvelope> = {}): EventEnvelope => ({
    ...envelope(type, { tenantId: tenant, actor: 'api-key:k1', subject: 's1', occurredAt: new Date(Date.UTC(2030, 0, 1, 0, minutes)) }, { n: minutes }),
    ...extra,
  });

  beforeEach(() => {
    store = new InMemoryAuditEventStore();
    service = new EventsService(store, new FixedClock());
  });

  describe('record', () => {
    it('stores the envelope with redacted data, receipt time and a normalised id', async () => {
      const e = ev('api-key.created', 0, { id: randomUUID().toUpperCase(), data: { id: 'k1', key: 'kl_secret', scopes: ['admin'] } });
      await service.record(e, manager);
      expect(store.rows).toEqual([
        {
          seq: '1',
          eventId: e.id.toLowerCase(),
          tenantId: tenant,
          type: 'api-key.created',
          actor: 'api-key:k1',
          subject: 's1',
          occurredAt: String(Date.UTC(2030, 0, 1)),
          receivedAt: String(Date.parse('2030-05-05T05:05:05.000Z')),
          schemaVersion: 1,
          data: JSON.stringify({ id: 'k1', scopes: ['admin'] }),
        },
      ]);
    });

    it('stores an event delivered twice only once', async () => {
      const e = ev('tenant.created');
      await service.record(e, manager);
      await service.record(e, manager);
      expect(store.rows).toHaveLength(1);
    });

    it('treats missing data and schema version as empty and 1', async () => {
      const e = ev('tenant.created', 0, { data: undefined, schemaVersion: undefined as unknown as number });
      await service.record(e, manager);
      expect(store.rows[0]).toMatchObject({ data: '{}', schemaVersion: 1 });
    });

    it.each([
      ['an occurredAt that is no date', { occurredAt: 'yesterday' }, /occurredAt/],
      ['data that is not an object', { data: ['a'] }, /data/],
      ['data that is a string', { data: 'x' }, /data/],
      ['an empty tenant', { tenantId: '' }, /tenantId/],
      ['a tenant id longer than the column', { tenantId: 't'.repeat(101) }, /tenantId/],
      ['a subject with control characters', { subject: 'a\u0000b' }, /subject/],
      ['a fractional schema version', { schemaVersion: 1.5 }, /schemaVersion/],
    ])('rejects %s as permanent (dead letter, not retry)', async (_, extra, message) => {
      const attempt = service.record(ev('tenant.created', 0, extra as Partial<EventEnvelope>), manager);
      await expect(attempt).rejects.toThrow(PermanentError);
      await expect(attempt).rejects.toThrow(message);
      expect(store.rows).toHaveLength(0);
    });
  });

  describe('list', () => {
    const seed = async (n: number) => {
      const events: EventEnvelope[] = [];
      for (let i = 0; i < n; i++) {
        const e = ev(i % 2 ? 'api-key.created' : 'tenant.updated', i);
        events.push(e);
        await service.record(e, manager);
      }
      await service.record({ ...ev('api-key.created', 1), tenantId: 'tenant-b' }, manager);
      return events;
    };

    it('answers the contract shape, newest first, 50 by default', async () => {
      const events = await seed(60);
      const page = await service.list(tenant, query());
      expect(page.items).toHaveLength(50);
      expect(page.items[0]).toEqual({
        id: events[59].id,
        type: 'api-key.created',
        tenantId: tenant,
        actor: 'api-key:k1',
        subject: 's1',
        occurredAt: '2030-01-01T00:59:00.000Z',
        data: { n: 59 },
      });
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('walks every page once in either order, ending with a null cursor', async () => {
      const events = await seed(7);
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await service.list(tenant, query({ limit: 3, cursor, ...(cursor ? {} : { order }) }));
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        const ids = events.map((e) => e.id);
        expect(seen).toEqual(order === 'asc' ? ids : ids.reverse());
      }
    });

    it('gives no cursor when the last page is exactly full', async () => {
      await seed(4);
      const first = await service.list(tenant, query({ limit: 2 }));
      const second = await service.list(tenant, query({ limit: 2, cursor: first.nextCursor! }));
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it('passes type prefixes and time ranges on', async () => {
      await seed(6);
      const keys = await service.list(tenant, query({ type: 'api-key.*' }));
      expect(keys.items.map((i) => i.type)).toEqual(['api-key.created', 'api-key.created', 'api-key.created']);
      const ranged = await service.list(tenant, query({ since: '2030-01-01T00:02:00Z', until: '2030-01-01T01:04:00+01:00', order: 'asc' }));
      expect(ranged.items.map((i) => i.data.n)).toEqual([2, 3]);
    });

    it.each([
      ['a cursor it did not issue', { cursor: 'Zm9v' }, 'cursor'],
      ['an order that contradicts the cursor', { cursor: encodeCursor({ seq: '5', order: 'asc' }), order: 'desc' as const }, 'order'],
      ['an empty time range', { since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' }, 'until'],
      ['a zero-length time range', { since: '2030-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' }, 'until'],
    ])('rejects %s with a field error', async (_, q, field) => {
      const attempt = service.list(tenant, query(q));
      await expect(attempt).rejects.toBeInstanceOf(AuditException);
      await expect(attempt).rejects.toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ field })] });
    });
  });

  describe('get', () => {
    it("finds the tenant's own event by id, in any case", async () => {
      const e = ev('tenant.created');
      await service.record(e, manager);
      expect((await service.get(tenant, e.id.toUpperCase())).id).toBe(e.id);
    });

    it("answers 404 for another tenant's event", async () => {
      const e = ev('tenant.created');
      await service.record(e, manager);
      const attempt = service.get('tenant-b', e.id);
      await expect(attempt).rejects.toMatchObject({ code: 'audit_event_not_found' });
      await expect(attempt).rejects.toMatchObject({ status: 404 });
    });
  });
});
