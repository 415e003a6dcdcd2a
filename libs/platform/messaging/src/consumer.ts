import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger, Metrics } from '@keyline/platform-observability';
import { runWithContext, traceIdFrom } from '@keyline/platform-observability';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, Headers, parseEnvelope } from './envelope';
import { ProcessedEventEntity } from './entities';
import { PermanentError } from './errors';
import { deadLetterTopic } from './kafka';

export type EventHandler = (event: EventEnvelope, manager: EntityManager) => Promise<void>;

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Handlers by event type; events of other types are acknowledged and skipped. */
  handlers: Record<string, EventHandler>;
  /** Attempts for a failing handler before the message is dead-lettered (default 5). */
  maxAttempts?: number;
  /** First retry delay in ms, doubled each attempt (default 200). */
  retryBaseMs?: number;
  fromBeginning?: boolean;
}

function header(m: KafkaMessage, name: string): string | undefined {
  const v = m.headers?.[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0]?.toString() : v.toString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An idempotent consumer: each event is handled in a database transaction together with the record
 * that it was processed, so a redelivery is a no-op. Transient failures retry with backoff; a poison
 * message (unparseable, PermanentError, or still failing after maxAttempts while the database is
 * healthy) goes to the group's dead-letter topic with the reason in headers, and the partition moves on.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly opts: ConsumerOptions,
  ) {}

  get dlt(): string {
    return deadLetterTopic(this.opts.groupId);
  }

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      // Short enough that a consumer resumes quickly after a broker restart; heartbeats every 3 s.
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: this.opts.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping) break;
      await this.handleMessage(batch.topic, batch.partition, message, heartbeat);
      resolveOffset(message.offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
    this.metrics.consumerLag.set(
      { group: this.opts.groupId, topic: batch.topic, partition: String(batch.partition) },
      Math.max(0, Number(batch.highWatermark) - 1 - Number(batch.lastOffset())),
    );
  }

  private async handleMessage(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    const labels = { group: this.opts.groupId, topic };
    let event: EventEnvelope;
    try {
      event = parseEnvelope(message.value);
    } catch (err) {
      await this.deadLetter(topic, partition, message, 'unparseable', (err as Error).message, 1);
      this.metrics.consumed.inc({ ...labels, outcome: 'dead_lettered' });
      return;
    }
    const ctx = { traceId: traceIdFrom(header(message, Headers.traceId)), tenantId: event.tenantId };
    await runWithContext(ctx, async () => {
      const max = this.opts.maxAttempts ?? 5;
      for (let attempt = 1; ; attempt++) {
        try {
          const handled = await this.process(event);
          this.metrics.consumed.inc({ ...labels, outcome: handled ? 'processed' : 'duplicate' });
          return;
        } catch (err) {
          const permanent = err instanceof PermanentError;
          if (permanent || (attempt >= max && (await this.databaseHealthy()))) {
            this.logger.error({ err: (err as Error).message, eventId: event.id, type: event.type }, 'dead-lettering event');
            await this.deadLetter(topic, partition, message, permanent ? 'permanent' : 'retries_exhausted', (err as Error).message, attempt);
            this.metrics.consumed.inc({ ...labels, outcome: 'dead_lettered' });
            return;
          }
          if (this.stopping) throw err;
          this.logger.warn({ err: (err as Error).message, eventId: event.id, attempt }, 'event handling failed; retrying');
          await sleep(Math.min((this.opts.retryBaseMs ?? 200) * 2 ** (attempt - 1), 5000));
          await heartbeat().catch(() => undefined);
        }
      }
    });
  }

  /** Runs the handler and the processed-record insert in one transaction; false if already handled. */
  private async process(event: EventEnvelope): Promise<boolean> {
    const handler = this.opts.handlers[event.type];
    return this.ds.transaction(async (manager) => {
      const seen = await manager.findOneBy(ProcessedEventEntity, { consumerGroup: this.opts.groupId, eventId: event.id });
      if (seen) return false;
      await manager.insert(ProcessedEventEntity, {
        consumerGroup: this.opts.groupId,
        eventId: event.id,
        processedAt: String(Date.now()),
      });
      if (handler) await handler(event, manager);
      return true;
    });
  }

  private async databaseHealthy(): Promise<boolean> {
    try {
      await this.ds.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async deadLetter(topic: string, partition: number, m: KafkaMessage, reason: string, error: string, attempts: number): Promise<void> {
    await this.producer.send({
      topic: this.dlt,
      acks: -1,
      messages: [
        {
          key: m.key,
          value: m.value,
          headers: {
            ...(m.headers ?? {}),
            [Headers.dltReason]: reason,
            [Headers.dltError]: error.slice(0, 1000),
            [Headers.dltTopic]: topic,
            [Headers.dltPartition]: String(partition),
            [Headers.dltOffset]: m.offset,
            [Headers.dltGroup]: this.opts.groupId,
            [Headers.dltAttempts]: String(attempts),
          },
        },
      ],
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
