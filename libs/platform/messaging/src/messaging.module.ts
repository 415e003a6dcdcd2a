import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigOf, kafkaFields } from '@keyline/platform-config';
import { HealthRegistry, LOGGER, METRICS, ShutdownCoordinator, ShutdownPhase } from '@keyline/platform-http';
import type { Logger, Metrics } from '@keyline/platform-observability';
import { Admin, Kafka, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ConsumerOptions, EventConsumer } from './consumer';
import { EventMap, TopicsOf } from './envelope';
import { TopicSpec, createKafka, deadLetterTopic, ensureTopics } from './kafka';
import { Outbox, OutboxRelay } from './outbox';

export interface MessagingOptions {
  service: string;
  brokers: string[];
  /** Topics this service produces or consumes: created at start with these settings. */
  topics: string[];
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  dltRetentionMs: number;
  outboxPollMs: number;
  /** Run the outbox relay (services that publish). */
  relay: boolean;
}

export const MESSAGING_OPTIONS = Symbol('keyline:messaging-options');

function stableKey(s: string): number {
  let h = 7;
  for (const c of s) h = (Math.imul(31, h) + c.charCodeAt(0)) | 0;
  return h;
}

/**
 * Kafka for one service: topic provisioning, the idempotent producer, the outbox relay and the
 * service's consumers. Kafka being down never stops the service from starting or serving: everything
 * here connects in the background and retries, and readiness reports Kafka as degraded, not down.
 */
@Injectable()
export class Messaging implements OnApplicationBootstrap {
  readonly kafka: Kafka;
  readonly producer: Producer;
  private readonly admin: Admin;
  readonly relay?: OutboxRelay;
  private readonly consumers: EventConsumer[] = [];
  private connected = false;
  private stopped = false;
  private startup?: Promise<void>;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly opts: MessagingOptions,
    private readonly ds: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS) private readonly metrics: Metrics,
    health: HealthRegistry,
    shutdown: ShutdownCoordinator,
  ) {
    this.kafka = createKafka({ brokers: opts.brokers, clientId: `keyline-${opts.service}`, logger });
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.admin = this.kafka.admin();
    if (opts.relay) {
      this.relay = new OutboxRelay(ds, this.producer, logger, metrics, {
        pollMs: opts.outboxPollMs,
        lockKey: stableKey(`keyline:outbox:${opts.service}`),
      });
    }
    health.register({
      name: 'kafka',
      critical: false,
      check: async () => {
        if (!this.connected) throw new Error('not connected yet');
        await this.admin.describeCluster();
      },
    });
    shutdown.add(ShutdownPhase.StopConsumers, 'consumers', async () => {
      this.stopped = true;
      await Promise.all(this.consumers.map((c) => c.stop()));
    });
    shutdown.add(ShutdownPhase.FlushOutbox, 'outbox', async () => {
      if (this.connected) await this.relay?.stop();
      else await this.relay?.stop(0);
    });
    shutdown.add(ShutdownPhase.CloseMessaging, 'kafka', async () => {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    });
  }

  /** A typed outbox for a context's event map. */
  outbox<E extends EventMap>(topics: TopicsOf<E>): Outbox<E> {
    return new Outbox<E>(topics, this.relay);
  }

  /** Registers a consumer; it starts once Kafka answers. Call from onModuleInit. */
  addConsumer(opts: ConsumerOptions): EventConsumer {
    const c = new EventConsumer(this.kafka, this.producer, this.ds, this.logger, this.metrics, opts);
    this.consumers.push(c);
    return c;
  }

  onApplicationBootstrap(): void {
    this.startup = this.connectLoop();
  }

  /** Resolves once topics exist and the producer and consumers run (tests and `npm start` wait on it). */
  whenConnected(): Promise<void> {
    return this.startup ?? Promise.resolve();
  }

  private topicSpecs(): TopicSpec[] {
    const base = { partitions: this.opts.partitions, replicationFactor: this.opts.replicationFactor };
    return [
      ...this.opts.topics.map((topic) => ({ ...base, topic, retentionMs: this.opts.retentionMs })),
      ...this.consumers.map((c) => ({ ...base, partitions: 1, topic: c.dlt, retentionMs: this.opts.dltRetentionMs })),
    ];
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.admin.connect();
        await ensureTopics(this.admin, this.topicSpecs());
        await this.producer.connect();
        this.connected = true;
        this.relay?.start();
        for (const c of this.consumers) await c.start();
        this.logger.info({ consumers: this.consumers.length }, 'kafka connected');
        return;
      } catch (err) {
        if (attempt === 1 || attempt % 10 === 0) {
          this.logger.warn({ err: (err as Error).message, attempt }, 'kafka not reachable yet; retrying');
        }
        await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5000)));
      }
    }
  }
}

@Global()
@Module({})
export class MessagingModule {
  /** The service's messaging from its validated `kafkaFields` configuration. */
  static forService(service: string, config: ConfigOf<typeof kafkaFields>, opts: { topics: readonly string[]; relay: boolean }): DynamicModule {
    return MessagingModule.forRoot({
      service,
      brokers: config.kafkaBrokers,
      topics: [...opts.topics],
      partitions: config.kafkaTopicPartitions,
      replicationFactor: config.kafkaReplicationFactor,
      retentionMs: config.kafkaRetentionMs,
      dltRetentionMs: config.kafkaDltRetentionMs,
      outboxPollMs: config.outboxPollMs,
      relay: opts.relay,
    });
  }

  static forRoot(opts: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [{ provide: MESSAGING_OPTIONS, useValue: opts }, Messaging],
      exports: [Messaging],
    };
  }
}

export { deadLetterTopic };
