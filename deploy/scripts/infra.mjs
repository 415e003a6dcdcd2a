// Checks and starts the infrastructure Keyline needs locally: PostgreSQL and Redis must answer (Redis
// is started from redis-server when installed and nothing answers), Kafka is started by deploy/kafka.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portOpen, start as startKafka } from '../kafka/kafka.mjs';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const log = (m) => process.stderr.write(`[infra] ${m}\n`);

function hostPort(url, defPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defPort) };
}

function which(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

async function waitPort(port, host, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await portOpen(port, host)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Redis at REDIS_URL; when nothing answers locally and redis-server exists, start one under .data/redis. */
export async function ensureRedis(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') {
  const { host, port } = hostPort(url, 6379);
  if (await portOpen(port, host)) return { started: false };
  if (!['127.0.0.1', 'localhost'].includes(host) || !which('redis-server')) {
    throw new Error(`Redis does not answer at ${url}; start it or set REDIS_URL`);
  }
  const dir = join(root, '.data', 'redis');
  mkdirSync(dir, { recursive: true });
  log(`starting redis-server on ${port} (data in ${dir})`);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  if (!(await waitPort(port, host, 10_000))) throw new Error('redis-server did not start');
  return { started: true, pid: child.pid };
}

/** PostgreSQL must answer for the integration tier (the machine's own server, or TEST_PG_ADMIN_URL). */
export async function ensurePostgres(url = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres') {
  const { host, port } = hostPort(url, 5432);
  if (await portOpen(port, host)) return;
  const clusters = existsSync('/etc/postgresql') ? spawnSync('ls', ['/etc/postgresql']).stdout.toString().trim().split('\n')[0] : '';
  if (clusters && which('pg_ctlcluster')) {
    log(`starting PostgreSQL cluster ${clusters}/main`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusters, 'main', 'start'], { stdio: 'inherit' });
    if (await waitPort(port, host, 20_000)) return;
  }
  throw new Error(`PostgreSQL does not answer at ${host}:${port}; start it or set TEST_PG_ADMIN_URL`);
}

export async function ensureKafka() {
  return startKafka();
}
