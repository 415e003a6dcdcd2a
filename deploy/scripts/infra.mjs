// Checks and starts the infrastructure Keyline needs locally: PostgreSQL and Redis must answer (Redis
// is started from redis-server when installed and nothing answers), Kafka is started by deploy/kafka,
// Debian's Chromium (for the browser e2e test) is installed with apt-get when missing and running as root.
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

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium at /usr/bin/chromium, which the browser e2e test drives through playwright-core.
 * Installed with apt-get when missing and this runs as root (CI); anywhere else it must be installed first.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) {
    throw new Error(`Chromium is missing at ${CHROMIUM}; install it (Debian: sudo apt-get install -y --no-install-recommends chromium)`);
  }
  log(`installing chromium with apt-get (the browser e2e test needs ${CHROMIUM})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env }).status === 0;
  if (!install()) {
    // A fresh machine often has no package lists yet.
    if (spawnSync('apt-get', ['update'], { stdio: 'inherit', env }).status !== 0 || !install()) {
      throw new Error(`apt-get could not install chromium; install it by hand so that ${CHROMIUM} exists`);
    }
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist`);
}
