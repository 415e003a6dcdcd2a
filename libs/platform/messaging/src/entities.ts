import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Events waiting to be published; written in the same transaction as the state change. */
@Entity('outbox_events')
@Index('idx_outbox_unsent', ['sentAt', 'seq'])
export class OutboxEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'varchar', length: 200 })
  topic: string;

  @Column({ type: 'varchar', length: 200 })
  messageKey: string;

  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'text' })
  headers: string;

  @Column({ type: 'bigint' })
  createdAt: string;

  @Column({ type: 'bigint', nullable: true })
  sentAt: string | null;
}

/** Event ids a consumer group has already handled (idempotency). */
@Entity('processed_events')
export class ProcessedEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  consumerGroup: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  eventId: string;

  @Column({ type: 'bigint' })
  processedAt: string;
}
