import { bool, int, list, oneOf, optional, str, url } from './config';

/** Fields every service shares. Each app spreads these into its own schema. */
export const serviceFields = {
  host: str('HOST', 'Interface the HTTP server binds to', { default: '127.0.0.1' }),
  logLevel: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)('LOG_LEVEL', 'Log level', {
    default: 'info',
  }),
  publicUrl: url(['http', 'https'])('PUBLIC_URL', 'Externally visible base URL (issuers, links)', {
    default: 'http://localhost:8080',
  }),
  internalToken: str(
    'INTERNAL_TOKEN',
    'Shared secret the gateway sends to services; services reject requests without it',
    { default: 'keyline-dev-internal-token', secret: true },
  ),
  shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', 'Grace period for draining on SIGTERM', { default: 8000, min: 100 }),
};

export const kafkaFields = {
  kafkaBrokers: list('KAFKA_BROKERS', 'Comma-separated Kafka bootstrap servers', { default: ['127.0.0.1:9092'] }),
  kafkaTopicPartitions: int('KAFKA_TOPIC_PARTITIONS', 'Partitions of topics the service creates', {
    default: 6,
    min: 1,
  }),
  kafkaReplicationFactor: int('KAFKA_REPLICATION_FACTOR', 'Replication factor of topics the service creates', {
    default: 1,
    min: 1,
  }),
  kafkaRetentionMs: int('KAFKA_RETENTION_MS', 'Retention of event topics (ms)', { default: 7 * 24 * 3600 * 1000 }),
  kafkaDltRetentionMs: int('KAFKA_DLT_RETENTION_MS', 'Retention of dead-letter topics (ms)', {
    default: 30 * 24 * 3600 * 1000,
  }),
  outboxPollMs: int('OUTBOX_POLL_MS', 'Outbox relay poll interval (ms)', { default: 200, min: 10 }),
};

export const databaseFields = (service: string) => ({
  databaseUrl: optional(
    url(['postgres', 'postgresql'])(
      'DATABASE_URL',
      `PostgreSQL URL of the ${service} database; unset: embedded SQLite at .data/${service}.sqlite`,
    ),
  ),
  dataDir: str('DATA_DIR', 'Folder for embedded SQLite files', { default: '.data' }),
  databaseLogging: bool('DATABASE_LOGGING', 'Log SQL statements', { default: false }),
});

export const redisFields = {
  redisUrl: url(['redis', 'rediss'])('REDIS_URL', 'Redis URL', { default: 'redis://127.0.0.1:6379' }),
};
