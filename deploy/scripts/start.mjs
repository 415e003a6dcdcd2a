// `npm start`: runs the whole platform on one machine. Starts Kafka (unless KAFKA_BROKERS is set) and
// Redis (if nothing answers and redis-server is installed), then every service and the gateway as
// separate processes on the project's Node, waits until all are ready and prints where to go.
// Ctrl-C (or SIGTERM) drains and stops everything, including a broker this script started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stop as stopKafka } from '../kafka/kafka.mjs';
import { ensureKafka, ensureRedis, root } from './infra.mjs';

const env = process.env;
const SERVICES = [
  { name: 'directory', port: 8081 },
  { name: 'authn', port: 8082 },
  { name: 'consent', port: 8083 },
  { name: 'sessions', port: 8084 },
  { name: 'audit', port: 8085 },
];
const gatewayPort = Number(env.PORT ?? 8080);
const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${gatewayPort}`).replace(/\/$/, '');
const dataDir = join(root, env.DATA_DIR ?? '.data');
const logDir = join(dataDir, 'logs');
mkdirSync(logDir, { recursive: true });

const say = (m) => process.stdout.write(`${m}\n`);
const warn = (m) => process.stderr.write(`${m}\n`);

let kafkaStarted = false;
let redisPid;
let stopping = false;
const children = new Map();
let adminKey;

function serviceEnv(name, port) {
  const upper = name.toUpperCase();
  const e = {
    ...env,
    PORT: String(port),
    HOST: env.HOST ?? '127.0.0.1',
    PUBLIC_URL: publicUrl,
    DATA_DIR: dataDir,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    INTERNAL_TOKEN: internalToken,
    KAFKA_BROKERS: env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  // Each service owns its database: <SERVICE>_DATABASE_URL selects Postgres for that one service.
  delete e.DATABASE_URL;
  if (env[`${upper}_DATABASE_URL`]) e.DATABASE_URL = env[`${upper}_DATABASE_URL`];
  for (const s of SERVICES) e[`${s.name.toUpperCase()}_URL`] = `http://127.0.0.1:${s.port}`;
  if (name === 'gateway') e.HOST = env.GATEWAY_HOST ?? '0.0.0.0';
  return e;
}

const internalToken = env.INTERNAL_TOKEN ?? randomBytes(32).toString('base64url');

function launch(name, port, restarts = 0) {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env: serviceEnv(name, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  const onLine = (line) => {
    if (line.startsWith('KEYLINE_PLATFORM_ADMIN_KEY=')) {
      adminKey = line.slice('KEYLINE_PLATFORM_ADMIN_KEY='.length).trim();
      return; // never written to a log file
    }
    log.write(`${line}\n`);
    // Warnings and errors reach the terminal; everything is in .data/logs/<service>.log.
    if (/"level":"(warn|error|fatal)"/.test(line) || !line.startsWith('{')) warn(`[${name}] ${line}`);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  child.on('exit', (code, signal) => {
    log.end();
    if (stopping) return;
    warn(`[start] ${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
    if (restarts < 5) setTimeout(() => launch(name, port, restarts + 1), 1000 * (restarts + 1));
    else shutdown(1);
  });
  return child;
}

async function waitReady(name, port, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
      last = await r.text();
    } catch (err) {
      last = err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000}s: ${last}`);
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('\nStopping Keyline...');
  const exits = [];
  // The gateway first, so no new requests arrive while services drain.
  const order = ['gateway', ...SERVICES.map((s) => s.name)];
  for (const name of order) {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    exits.push(exited.then(() => clearTimeout(killer)));
    if (name === 'gateway') await exited;
  }
  await Promise.all(exits);
  if (kafkaStarted) await stopKafka().catch((err) => warn(`[start] stopping Kafka: ${err.message}`));
  if (redisPid) {
    try {
      process.kill(redisPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  say('Stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  redisPid = (await ensureRedis(env.REDIS_URL)).pid;
  if (!env.KAFKA_BROKERS) kafkaStarted = (await ensureKafka()).started;
  for (const s of SERVICES) launch(s.name, s.port);
  await Promise.all(SERVICES.map((s) => waitReady(s.name, s.port)));
  launch('gateway', gatewayPort);
  await waitReady('gateway', gatewayPort);
} catch (err) {
  warn(`[start] ${err.message}`);
  await shutdown(1);
}

say('');
say('Keyline is running.');
say(`  Gateway:   ${publicUrl}`);
say(`  API docs:  ${publicUrl}/docs   (OpenAPI: ${publicUrl}/openapi.json)`);
say(`  Logs:      ${logDir}`);
if (env.PLATFORM_ADMIN_API_KEY) say('  Platform admin key: the value of PLATFORM_ADMIN_API_KEY');
else if (adminKey) {
  say(`  Platform admin key (shown once, stored only as a hash): ${adminKey}`);
} else {
  say('  Platform admin key: generated and shown at the first start (stored only as a hash).');
  say('  Lost it? Start with PLATFORM_ADMIN_API_KEY=kl_admin_<a long random secret>: it replaces the old key.');
}
say('Press Ctrl-C to stop.');
