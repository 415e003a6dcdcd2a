#!/usr/bin/env node
// Local single-node Apache Kafka (KRaft, broker + controller) for development, tests and `npm start`.
//
//   node deploy/kafka/kafka.mjs fetch     fetch the broker jars from Maven Central (cached)
//   node deploy/kafka/kafka.mjs start     format (first time) and start in the background; wait until ready
//   node deploy/kafka/kafka.mjs run       same, but in the foreground (Ctrl-C stops it)
//   node deploy/kafka/kafka.mjs stop      stop the broker started by `start`
//   node deploy/kafka/kafka.mjs status    exit 0 when something accepts connections on the port
//
// KAFKA_BROKERS pointing at an existing cluster makes `start` a no-op. Data lives in .data/kafka.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const cacheDir = join(here, '.cache');
const libsDir = join(cacheDir, 'libs');
const dataDir = resolve(process.env.KAFKA_DATA_DIR ?? join(root, '.data', 'kafka'));
const port = Number(process.env.KAFKA_PORT ?? 9092);
const controllerPort = Number(process.env.KAFKA_CONTROLLER_PORT ?? port + 1);
const host = '127.0.0.1';
const pidFile = join(dataDir, 'kafka.pid');
const log = (msg) => process.stderr.write(`[kafka] ${msg}\n`);

export function portOpen(p = port, h = host, timeoutMs = 500) {
  return new Promise((res) => {
    const socket = connect({ port: p, host: h });
    const done = (ok) => {
      socket.destroy();
      res(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function pomStamp() {
  return readFileSync(join(here, 'pom.xml'), 'utf8');
}

export function fetchJars() {
  const stampFile = join(cacheDir, 'pom.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === pomStamp() && existsSync(libsDir)) {
    return;
  }
  log('fetching the Apache Kafka broker from Maven Central (first run only)...');
  rmSync(libsDir, { recursive: true, force: true });
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libsDir}`, '-DincludeScope=runtime'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`mvn failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  writeFileSync(stampFile, pomStamp());
}

function writeConfig() {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dataDir, 'logs'),
    // Topics are provisioned by the services with explicit partitions and retention.
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'log.retention.hours': '168',
  };
  const file = join(dataDir, 'server.properties');
  writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return file;
}

function java(args, opts) {
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(here, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${dataDir}`, '-cp', `${libsDir}/*`];
  const bin = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  return [bin, [...jvm, ...args], opts];
}

function formatIfNeeded(config) {
  const logs = join(dataDir, 'logs');
  if (existsSync(join(logs, 'meta.properties'))) return;
  // Like Kafka's own Uuid.randomUuid: an id starting with '-' would be read as a command-line option.
  let clusterId;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  const [bin, args] = java(['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '--config', config, '--standalone']);
  const r = spawnSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`formatting Kafka storage failed: ${r.stderr?.toString() || r.error?.message}`);
  log(`formatted storage in ${logs}`);
}

async function waitReady(child, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`Kafka exited with ${child.exitCode}; see ${join(dataDir, 'server.log')}`);
    if (await portOpen()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Kafka did not accept connections on ${host}:${port} within ${timeoutMs / 1000}s`);
}

function readPid() {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function start({ foreground = false } = {}) {
  if (process.env.KAFKA_BROKERS) {
    log(`KAFKA_BROKERS=${process.env.KAFKA_BROKERS}: using that cluster`);
    return { started: false };
  }
  if (await portOpen()) {
    log(`a broker already listens on ${host}:${port}`);
    return { started: false };
  }
  fetchJars();
  const config = writeConfig();
  formatIfNeeded(config);
  const out = openSync(join(dataDir, 'stdout.log'), 'a');
  const [bin, args] = java(['kafka.Kafka', config]);
  const child = spawn(bin, args, {
    stdio: foreground ? ['ignore', 'inherit', 'inherit'] : ['ignore', out, out],
    detached: !foreground,
  });
  writeFileSync(pidFile, String(child.pid));
  const t0 = Date.now();
  await waitReady(child);
  log(`ready on ${host}:${port} in ${((Date.now() - t0) / 1000).toFixed(1)}s (pid ${child.pid})`);
  if (!foreground) child.unref();
  return { started: true, pid: child.pid, child };
}

export async function stop() {
  const pid = readPid();
  if (!pid) {
    log('no broker started by this script is running');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(pidFile, { force: true });
      log('stopped');
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  log('broker did not stop within 30s; killing it');
  process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
}

/** Removes the local broker's data (topics, offsets); the broker must be stopped. */
export function reset() {
  if (readPid()) throw new Error('stop the broker first');
  if (existsSync(dataDir)) for (const f of readdirSync(dataDir)) rmSync(join(dataDir, f), { recursive: true, force: true });
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const cmd = process.argv[2] ?? 'start';
  try {
    if (cmd === 'fetch') fetchJars();
    else if (cmd === 'start') await start();
    else if (cmd === 'run') {
      const { child } = await start({ foreground: true });
      if (child) {
        const shutdown = () => child.kill('SIGTERM');
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
        child.on('exit', (code) => process.exit(code ?? 0));
      }
    } else if (cmd === 'stop') await stop();
    else if (cmd === 'reset') reset();
    else if (cmd === 'status') process.exit((await portOpen()) ? 0 : 1);
    else {
      log(`unknown command ${cmd}`);
      process.exit(2);
    }
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}
