import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One stored event. `seq` is the order in which the audit log received events (stable across pages
 * and, per Kafka key, the order in which they were written); `eventId` is the envelope id.
 * Times are epoch milliseconds so that range queries behave the same on Postgres and SQLite.
 */
@Entity('audit_events')
@Index('uq_audit_events_event_id', ['eventId'], { unique: true })
@Index('idx_audit_events_tenant_seq', ['tenantId', 'seq'])
@Index('idx_audit_events_tenant_type', ['tenantId', 'type', 'seq'])
@Index('idx_audit_events_tenant_subject', ['tenantId', 'subject', 'seq'])
@Index('idx_audit_events_tenant_actor', ['tenantId', 'actor', 'seq'])
@Index('idx_audit_events_tenant_occurred', ['tenantId', 'occurredAt'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 100 })
  tenantId: string;

  @Column({ type: 'varchar', length: 200 })
  type: string;

  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'bigint' })
  occurredAt: string;

  @Column({ type: 'bigint' })
  receivedAt: string;

  @Column({ type: 'integer' })
  schemaVersion: number;

  /** The envelope's `data` as JSON, with secret-looking fields removed. */
  @Column({ type: 'text' })
  data: string;
}
