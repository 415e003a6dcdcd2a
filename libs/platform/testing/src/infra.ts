/** Where the integration tier finds the real infrastructure (started by deploy/scripts/with-infra.mjs). */
export const testKafkaBrokers = (): string[] => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const testRedisUrl = (): string => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A Redis logical database per test file keeps keys apart (15 is left for ad-hoc use). */
export const testRedisDb = (): string => `${testRedisUrl()}/${1 + Math.floor(Math.random() * 14)}`;
