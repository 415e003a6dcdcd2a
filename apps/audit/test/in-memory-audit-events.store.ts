import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { AuditEventQuery, AuditEventStore, NewAuditEvent } from '../src/events/audit-events.store';

/** A typed fake of the audit store for unit tests; it passes the same conformance suite as the real one. */
export class InMemoryAuditEventStore extends AuditEventStore {
  readonly rows: AuditEventEntity[] = [];
  private seq = 0;

  async append(_manager: EntityManager, event: NewAuditEvent): Promise<void> {
    if (this.rows.some((r) => r.eventId === event.eventId)) return;
    this.rows.push({ ...event, seq: String(++this.seq) });
  }

  async find(q: AuditEventQuery): Promise<AuditEventEntity[]> {
    const matches = (r: AuditEventEntity) =>
      r.tenantId === q.tenantId &&
      (!q.type || ('exact' in q.type ? r.type === q.type.exact : r.type.startsWith(q.type.prefix))) &&
      (q.subject === undefined || r.subject === q.subject) &&
      (q.actor === undefined || r.actor === q.actor) &&
      (q.since === undefined || Number(r.occurredAt) >= q.since) &&
      (q.until === undefined || Number(r.occurredAt) < q.until) &&
      (q.afterSeq === undefined || (q.order === 'asc' ? Number(r.seq) > Number(q.afterSeq) : Number(r.seq) < Number(q.afterSeq)));
    const found = this.rows.filter(matches).map((r) => ({ ...r }));
    if (q.order === 'desc') found.reverse();
    return found.slice(0, q.limit);
  }

  async findOne(tenantId: string, eventId: string): Promise<AuditEventEntity | null> {
    const row = this.rows.find((r) => r.tenantId === tenantId && r.eventId === eventId);
    return row ? { ...row } : null;
  }
}
