import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventQuery, AuditEventStore, NewAuditEvent } from './audit-events.store';
import { prefixUpperBound } from './events.type-filter';

/** The audit store on the service's own database (Postgres or SQLite) through TypeORM. */
@Injectable()
export class AuditEventRepository extends AuditEventStore {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async append(manager: EntityManager, event: NewAuditEvent): Promise<void> {
    await manager.createQueryBuilder().insert().into(AuditEventEntity).values(event).orIgnore().execute();
  }

  find(q: AuditEventQuery): Promise<AuditEventEntity[]> {
    const qb = this.ds
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.tenantId = :tenantId', { tenantId: q.tenantId });
    if (q.type && 'exact' in q.type) qb.andWhere('e.type = :type', { type: q.type.exact });
    // A range rather than LIKE: it uses the (tenantId, type) index and is case-sensitive on SQLite too.
    if (q.type && 'prefix' in q.type) {
      qb.andWhere('e.type >= :lo AND e.type < :hi', { lo: q.type.prefix, hi: prefixUpperBound(q.type.prefix) });
    }
    if (q.subject !== undefined) qb.andWhere('e.subject = :subject', { subject: q.subject });
    if (q.actor !== undefined) qb.andWhere('e.actor = :actor', { actor: q.actor });
    if (q.since !== undefined) qb.andWhere('e.occurredAt >= :since', { since: q.since });
    if (q.until !== undefined) qb.andWhere('e.occurredAt < :until', { until: q.until });
    if (q.afterSeq !== undefined) {
      qb.andWhere(q.order === 'asc' ? 'e.seq > :after' : 'e.seq < :after', { after: q.afterSeq });
    }
    return qb
      .orderBy('e.seq', q.order === 'asc' ? 'ASC' : 'DESC')
      .limit(q.limit)
      .getMany();
  }

  findOne(tenantId: string, eventId: string): Promise<AuditEventEntity | null> {
    return this.ds.getRepository(AuditEventEntity).findOneBy({ tenantId, eventId });
  }
}
