import { randomBytes } from 'node:crypto';
import {
  ServiceProcess,
  apiClient,
  TestDatabase,
  createTestDatabase,
  freePort,
  startServiceProcess,
  PrivateKafka,
  startPrivateKafka,
  testRedisDb,
  waitFor,
} from '@keyline/platform-testing';

export interface Platform {
  gateway: string;
  /** The platform's own Kafka broker. */
  kafkaBrokers: string[];
  adminKey: string;
  services: Record<string, ServiceProcess>;
  stop(): Promise<void>;
}

const OWN_DB = ['directory', 'authn', 'consent', 'audit'] as const;

/**
 * The whole platform as real processes, the way `npm start` runs it: every service with its own
 * Postgres database, shared Redis, a Kafka broker of its own, and the gateway in front. Its own broker,
 * because consumers that start from the beginning of a topic (audit, authn's read model) would
 * otherwise first work through every event other suites left on the shared broker.
 */
export async function startPlatform(label: string, opts: { authnEnv?: Record<string, string> } = {}): Promise<Platform> {
  const adminKey = `kl_admin_${randomBytes(32).toString('base64url')}`;
  const internalToken = randomBytes(24).toString('base64url');
  const redisUrl = testRedisDb();
  const [broker, ...dbs]: [PrivateKafka, ...TestDatabase[]] = await Promise.all([startPrivateKafka(), ...OWN_DB.map((s) => createTestDatabase(`${label}_${s}`))]);
  // The gateway's port is chosen first: PUBLIC_URL (issuers, links, the hosted pages' Origin check) is
  // the address tests and browsers really use.
  const gatewayPort = await freePort();
  const publicUrl = `http://127.0.0.1:${gatewayPort}`;
  const common = {
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: broker.brokers.join(','),
    INTERNAL_TOKEN: internalToken,
    PUBLIC_URL: publicUrl,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  const services: Record<string, ServiceProcess> = {};
  try {
    const start = (name: (typeof OWN_DB)[number], extra: Record<string, string> = {}) =>
      startServiceProcess(name, { ...common, DATABASE_URL: dbs[OWN_DB.indexOf(name)].url, ...extra }).then((p) => (services[name] = p));
    await Promise.all([
      start('directory', { PLATFORM_ADMIN_API_KEY: adminKey }),
      start('consent'),
      start('audit'),
      startServiceProcess('sessions', common).then((p) => (services.sessions = p)),
    ]);
    // authn calls the directory and sessions services: it needs their addresses.
    await start('authn', { DIRECTORY_URL: services.directory.url, SESSIONS_URL: services.sessions.url, ...opts.authnEnv });
    const upstreams = Object.fromEntries(Object.entries(services).map(([n, p]) => [`${n.toUpperCase()}_URL`, p.url]));
    services.gateway = await startServiceProcess('gateway', { ...common, ...upstreams }, { port: gatewayPort });
    for (const p of Object.values(services)) {
      await waitFor(async () => (await fetch(`${p.url}/health/ready`)).ok, 30_000, 200, `${p.name} ready`);
    }
  } catch (err) {
    await Promise.all(Object.values(services).map((p) => p.kill()));
    await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
    await broker.destroy();
    throw err;
  }
  return {
    gateway: services.gateway.url,
    kafkaBrokers: broker.brokers,
    adminKey,
    services,
    stop: async () => {
      await Promise.all(Object.values(services).map((p) => p.stop()));
      await Promise.all(dbs.map((d) => d.drop().catch(() => undefined)));
      await broker.destroy();
    },
  };
}

/** A client for the gateway: `key` becomes `Authorization: Bearer <key>`. */
export const client = apiClient;

export const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
