import { Admin, ITopicConfig, Kafka, logLevel, LogEntry } from 'kafkajs';
import type { Logger } from '@keyline/platform-observability';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger?: Logger;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(s: KafkaSettings): Kafka {
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      // While a broker is down kafkajs reports every reconnect attempt; the services already say once
      // (and then periodically) that Kafka is unreachable, so those lines go to debug.
      const noisy = entry.namespace === 'Connection' || entry.namespace === 'BrokerPool' || /ECONNREFUSED|ECONNRESET|Connection error/.test(message) ||
        // Retries are bounded on purpose (the relay backs off itself); duplicates are dropped by consumers.
        /Limiting retries for the idempotent producer/.test(message);
      const level = noisy ? 'debug' : entry.level === logLevel.ERROR ? 'warn' : (LEVELS[entry.level] ?? 'info');
      s.logger?.[level]({ kafka: rest, namespace: entry.namespace }, `kafka: ${message}`);
    },
  });
}

/**
 * Creates missing topics with explicit partitions and retention (auto-creation is off on our brokers).
 * Existing topics are left as they are; partitions are never reduced.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (!missing.length) return;
  const topics: ITopicConfig[] = missing.map((s) => ({
    topic: s.topic,
    numPartitions: s.partitions,
    replicationFactor: s.replicationFactor,
    configEntries: [
      { name: 'retention.ms', value: String(s.retentionMs) },
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'min.insync.replicas', value: String(Math.min(2, s.replicationFactor)) },
    ],
  }));
  try {
    await admin.createTopics({ topics, waitForLeaders: true });
  } catch (err) {
    // Another replica may have created them at the same time.
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
  }
}

/** The dead-letter topic of a consumer group. */
export function deadLetterTopic(groupId: string): string {
  return `keyline.dlt.${groupId}.v1`;
}
