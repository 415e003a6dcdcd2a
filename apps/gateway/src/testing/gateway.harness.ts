import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  apiClient,
  REPO_ROOT,
  ServiceProcess,
  TestDatabase,
  createTestDatabase,
  startServiceProcess,
  testKafkaBrokers,
  testRedisDb,
  waitFor,
} from '@keyline/platform-testing';

/** The stand-in upstream (apps/gateway/src/testing/stub), run like an app by startServiceProcess. */
export const STUB = 'gateway/src/testing/stub';

/**
 * Which directory the tests authenticate against: the real service once it is built, otherwise the
 * stand-in. GATEWAY_TEST_DIRECTORY=stub|real forces one.
 */
export function directoryKind(): 'real' | 'stub' {
  const forced = process.env.GATEWAY_TEST_DIRECTORY;
  if (forced === 'real' || forced === 'stub') return forced;
  return existsSync(join(REPO_ROOT, 'dist', 'apps', 'directory', 'src', 'main.js')) ? 'real' : 'stub';
}

export interface Secrets {
  internalToken: string;
  adminKey: string;
  redisUrl: string;
}

export const newSecrets = (redisUrl: string): Secrets => ({
  internalToken: randomBytes(24).toString('base64url'),
  adminKey: `kl_admin_${randomBytes(32).toString('base64url')}`,
  redisUrl,
});

const baseEnv = (s: Secrets) => ({ REDIS_URL: s.redisUrl, INTERNAL_TOKEN: s.internalToken, LOG_LEVEL: 'warn' });

export function startStub(s: Secrets, opts: { port?: number } = {}): Promise<ServiceProcess> {
  return startServiceProcess(STUB, { ...baseEnv(s), PLATFORM_ADMIN_API_KEY: s.adminKey }, opts);
}

export interface Directory {
  kind: 'real' | 'stub';
  process: ServiceProcess;
  stop(): Promise<void>;
}

/** The directory role: the real service with its own Postgres database, or the stand-in. */
export async function startDirectory(s: Secrets, label: string): Promise<Directory> {
  const kind = directoryKind();
  if (kind === 'stub') {
    const p = await startStub(s);
    return { kind, process: p, stop: async () => void (await p.stop()) };
  }
  const db: TestDatabase = await createTestDatabase(`gw_${label}`);
  try {
    const p = await startServiceProcess('directory', {
      ...baseEnv(s),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      PLATFORM_ADMIN_API_KEY: s.adminKey,
    });
    await waitFor(async () => (await fetch(`${p.url}/health/ready`)).ok, 30_000, 100, 'directory ready');
    return {
      kind,
      process: p,
      stop: async () => {
        await p.stop();
        await db.drop().catch(() => undefined);
      },
    };
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
}

export function startGateway(s: Secrets, upstreams: Record<string, string>, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startServiceProcess('gateway', { ...baseEnv(s), ...upstreams, ...env });
}

export type { Res } from '@keyline/platform-testing';

/** A small HTTP client returning status, headers, parsed body and the time it took. */
export const client = apiClient;

export type Call = ReturnType<typeof client>;

export const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A tenant and an API key for it, created through the gateway with the platform admin key. */
export async function tenantWithKey(call: Call, adminKey: string, scopes: string[] = ['admin']) {
  const slug = uniqueSlug('gw');
  const tenant = await call<{ id: string; slug: string }>('POST', '/v1/tenants', { key: adminKey, json: { slug, name: `Gateway ${slug}` } });
  if (tenant.status !== 201) throw new Error(`creating a tenant answered ${tenant.status}: ${JSON.stringify(tenant.body)}`);
  const key = await call<{ id: string; key: string }>('POST', `/v1/tenants/${slug}/api-keys`, { key: adminKey, json: { name: 'gateway-test', scopes } });
  if (key.status !== 201) throw new Error(`creating a key answered ${key.status}: ${JSON.stringify(key.body)}`);
  return { tenant: tenant.body, keyId: key.body.id, key: key.body.key, slug };
}

export interface Stack {
  secrets: Secrets;
  redis: Redis;
  directory: Directory;
  stub: ServiceProcess;
  gateway: ServiceProcess;
  call: Call;
  tenant: Awaited<ReturnType<typeof tenantWithKey>>;
  stop(): Promise<void>;
}

/**
 * A gateway in front of the directory (tenants, keys) and the stand-in for sessions and authn, on a
 * fresh Redis db, with a tenant and an admin key for it.
 */
export async function startStack(label: string, gatewayEnv: Record<string, string> = {}): Promise<Stack> {
  const secrets = newSecrets(testRedisDb());
  const redis = new Redis(secrets.redisUrl);
  const [directory, stub] = await Promise.all([startDirectory(secrets, label), startStub(secrets)]);
  const gateway = await startGateway(secrets, { DIRECTORY_URL: directory.process.url, SESSIONS_URL: stub.url, AUTHN_URL: stub.url }, gatewayEnv);
  const call = client(gateway.url);
  const tenant = await tenantWithKey(call, secrets.adminKey);
  return {
    secrets,
    redis,
    directory,
    stub,
    gateway,
    call,
    tenant,
    stop: async () => {
      await Promise.all([gateway.stop(), stub.stop(), directory.stop()]);
      redis.disconnect();
    },
  };
}
