import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process, with the metrics every service exposes. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'kafka_consumer_lag_messages',
    help: 'Messages between the committed position and the partition end, per consumer group',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly consumed = new Counter({
    name: 'kafka_consumer_messages_total',
    help: 'Messages handled by consumers, by outcome',
    labelNames: ['group', 'topic', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog_events',
    help: 'Outbox rows not yet published to Kafka',
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'outbox_published_events_total',
    help: 'Outbox rows published to Kafka',
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
