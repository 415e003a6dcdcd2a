import type { EntityManager } from 'typeorm';
import type { AuditEventEntity } from './audit-event.entity';
import type { SortOrder } from './events.cursor';
import type { TypeFilter } from './events.type-filter';

/** A record about to be stored (`seq` is assigned by the store, increasing in order of appends). */
export type NewAuditEvent = Omit<AuditEventEntity, 'seq'>;

export interface AuditEventQuery {
  tenantId: string;
  type?: TypeFilter;
  subject?: string;
  actor?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** Continue after this `seq` in `order`. */
  afterSeq?: string;
  order: SortOrder;
  limit: number;
}

/**
 * Where audit events live: append-only writes, tenant-scoped reads. Every implementation passes the
 * conformance suite in apps/audit/test/audit-events.store.conformance.ts.
 */
export abstract class AuditEventStore {
  /**
   * Appends within the caller's transaction. A second copy of an event id is ignored, so the log stays
   * exactly-once even if the consumer's processed-events record were ever lost.
   */
  abstract append(manager: EntityManager, event: NewAuditEvent): Promise<void>;

  /** Events of one tenant matching the query, ordered by `seq`. */
  abstract find(q: AuditEventQuery): Promise<AuditEventEntity[]>;

  /** One event of one tenant; null for a missing event and for another tenant's. */
  abstract findOne(tenantId: string, eventId: string): Promise<AuditEventEntity | null>;
}
