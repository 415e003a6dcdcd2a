import { Producer } from 'kafkajs';
import type { Logger, Metrics } from '@keyline/platform-observability';
import { currentTraceId } from '@keyline/platform-observability';
import { DataSource, EntityManager, IsNull, MoreThan, QueryRunner } from 'typeorm';
import { EventEnvelope, EventMap, EventMeta, Headers, TopicsOf, envelope } from './envelope';
import { OutboxEventEntity } from './entities';

/** One event for `Outbox.appendMany`, typed by the context's event map. */
export type OutboxAppend<E extends EventMap> = { [K in keyof E & string]: { type: K; meta: EventMeta; data: E[K] } }[keyof E & string];

/** Rows per INSERT of `appendMany`: 7 bind parameters each, below every driver's limit. */
export const APPEND_MANY_CHUNK = 4000;
/** How often a relay that is behind counts its whole backlog for the gauge. */
const BACKLOG_COUNT_INTERVAL_MS = 5000;
/** How often the relay looks for unsent rows below the last one it sent (late commits). */
const FULL_SCAN_INTERVAL_MS = 2000;

/**
 * Appends events to the outbox inside the caller's transaction, typed by a context's event map, so
 * that a state change and the event announcing it commit together or not at all.
 */
export class Outbox<E extends EventMap> {
  constructor(
    private readonly topics: TopicsOf<E>,
    private readonly relay?: OutboxRelay,
  ) {}

  async append<K extends keyof E & string>(
    manager: EntityManager,
    type: K,
    meta: EventMeta,
    data: E[K],
  ): Promise<EventEnvelope<E[K], K>> {
    const event = envelope(type, meta, data);
    await manager.insert(OutboxEventEntity, this.row(event, String(Date.now()), currentTraceId()));
    return event;
  }

  /**
   * Appends many events with one multi-row INSERT (bulk writes such as user imports), in the order
   * given, so they are published in that order. Above `APPEND_MANY_CHUNK` events the insert is split
   * to stay below the drivers' bind-parameter limits (Postgres 65,535; SQLite 32,766).
   */
  async appendMany(manager: EntityManager, events: readonly OutboxAppend<E>[]): Promise<EventEnvelope[]> {
    if (!events.length) return [];
    const createdAt = String(Date.now());
    const traceId = currentTraceId();
    const envelopes = events.map((e) => envelope(e.type, e.meta, e.data));
    for (let i = 0; i < envelopes.length; i += APPEND_MANY_CHUNK) {
      const rows = envelopes.slice(i, i + APPEND_MANY_CHUNK).map((event) => this.row(event, createdAt, traceId));
      // updateEntity(false): no RETURNING of generated sequence numbers nobody reads.
      await manager.createQueryBuilder().insert().into(OutboxEventEntity).values(rows).updateEntity(false).execute();
    }
    return envelopes;
  }

  private row(event: EventEnvelope, createdAt: string, traceId: string | undefined) {
    const headers: Record<string, string> = {
      [Headers.eventType]: event.type,
      [Headers.tenantId]: event.tenantId,
    };
    if (traceId) headers[Headers.traceId] = traceId;
    return {
      eventId: event.id,
      topic: this.topics[event.type as keyof E],
      // Keyed by tenant: every event of one tenant keeps its order.
      messageKey: event.tenantId,
      payload: JSON.stringify(event),
      headers: JSON.stringify(headers),
      createdAt,
      sentAt: null,
    };
  }

  /** Asks the relay to publish now instead of at its next poll (call after commit). */
  wake(): void {
    this.relay?.wake();
  }
}

export interface RelayOptions {
  pollMs: number;
  batchSize?: number;
  /** Postgres advisory-lock key: one relay per service publishes at a time, keeping order. */
  lockKey?: number;
}

/**
 * Publishes outbox rows in sequence order with an idempotent producer (acks=all, one in-flight
 * request), marks them sent, and while Kafka is down retries with backoff without skipping or
 * reordering anything.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private pass?: Promise<void>;
  private failures = 0;
  private lockRunner?: QueryRunner;
  private lastPrune = 0;
  /** Rows not yet sent, as last counted and since reduced by what was sent (the backlog gauge). */
  private backlog = 0;
  private backlogCountedAt = 0;
  /** The highest seq this relay has sent, and when it last looked at every unsent row. */
  private sentUpTo?: string;
  private fullScanAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly producer: Producer,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly opts: RelayOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  wake(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.pass = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    let next = this.opts.pollMs;
    try {
      if (await this.holdsLock()) {
        const sent = await this.publishBatch();
        if (sent === (this.opts.batchSize ?? 500)) next = 0;
        this.failures = 0;
        await this.maybePrune();
      }
    } catch (err) {
      this.failures++;
      next = Math.min(this.opts.pollMs * 2 ** this.failures, 5000);
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.logger.warn({ err: (err as Error).message, failures: this.failures }, 'outbox relay cannot publish; retrying');
      }
    } finally {
      this.running = false;
      this.schedule(next);
    }
  }

  private async holdsLock(): Promise<boolean> {
    if (this.ds.options.type !== 'postgres' || this.opts.lockKey === undefined) return true;
    if (this.lockRunner && !this.lockRunner.isReleased) {
      try {
        await this.lockRunner.query('SELECT 1');
        return true;
      } catch {
        await this.lockRunner.release().catch(() => undefined);
        this.lockRunner = undefined;
      }
    }
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    const [row] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [this.opts.lockKey]);
    if (row?.locked) {
      this.lockRunner = runner;
      return true;
    }
    await runner.release();
    return false;
  }

  /** Publishes one batch; returns how many rows were sent. */
  async publishBatch(): Promise<number> {
    const repo = this.ds.getRepository(OutboxEventEntity);
    const batchSize = this.opts.batchSize ?? 500;
    // Between full scans, read on from the last row sent: a large backlog of sent rows (and of their
    // dead index entries, until vacuum) then costs nothing per batch. A transaction that commits after
    // rows with higher seq were sent is picked up by the next full scan, at most FULL_SCAN_INTERVAL_MS later.
    const full = this.sentUpTo === undefined || Date.now() - this.fullScanAt >= FULL_SCAN_INTERVAL_MS;
    const where = full ? { sentAt: IsNull() } : { sentAt: IsNull(), seq: MoreThan(this.sentUpTo!) };
    if (full) this.fullScanAt = Date.now();
    const rows = await repo.find({ where, order: { seq: 'ASC' }, take: batchSize });
    if (rows.length < batchSize) this.backlog = rows.length;
    else if (Date.now() - this.backlogCountedAt >= BACKLOG_COUNT_INTERVAL_MS) {
      // Counting a large backlog scans it; doing that per batch would make draining it quadratic.
      this.backlog = await repo.countBy({ sentAt: IsNull() });
      this.backlogCountedAt = Date.now();
    } else this.backlog = Math.max(this.backlog, rows.length);
    this.metrics.outboxBacklog.set(this.backlog);
    if (!rows.length) return 0;
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.messageKey, value: r.payload, headers: JSON.parse(r.headers) as Record<string, string> });
      byTopic.set(r.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })),
    });
    const now = String(Date.now());
    const seqs = rows.map((r) => r.seq);
    await repo.createQueryBuilder().update().set({ sentAt: now }).whereInIds(seqs).execute();
    this.metrics.outboxPublished.inc(rows.length);
    this.sentUpTo = seqs[seqs.length - 1];
    this.backlog = Math.max(0, this.backlog - rows.length);
    this.metrics.outboxBacklog.set(this.backlog);
    return rows.length;
  }

  /** Sent rows are kept an hour for inspection, then removed. */
  private async maybePrune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.ds
      .getRepository(OutboxEventEntity)
      .createQueryBuilder()
      .delete()
      .where('"sentAt" IS NOT NULL AND "sentAt" < :before', { before: String(Date.now() - 3600_000) })
      .execute();
  }

  /** Stops polling and makes a last attempt to publish what is left, within `timeoutMs`. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    try {
      while (Date.now() < deadline && (await this.holdsLock()) && (await this.publishBatch()) > 0) {
        // keep flushing
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'outbox not fully flushed at shutdown; it will be published at next start');
    }
    if (this.lockRunner && !this.lockRunner.isReleased) {
      await this.lockRunner.query('SELECT pg_advisory_unlock($1)', [this.opts.lockKey]).catch(() => undefined);
      await this.lockRunner.release().catch(() => undefined);
    }
  }
}
