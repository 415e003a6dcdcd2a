// Gateway overhead benchmark: the same authenticated `GET /v1/whoami`, once straight to the directory
// (carrying the internal headers the gateway would add) and once through the gateway (API key,
// rate limiting, principal forwarding). Assumes `npm run build`; run with `npm run bench -- gateway`
// or `npx node bench/gateway/run.mjs [--duration 10] [--connections 50] [--warmup 3] [--upstream real|stub]`.
// Prints a table and writes bench/results/gateway.json. Targets: >= 60% of direct throughput, < 2 ms
// added at p99.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    upstream: { type: 'string' },
  },
});
const duration = Number(opts.duration);
const connections = Number(opts.connections);
const warmup = Number(opts.warmup);
const TARGET_RATIO = 0.6;
const TARGET_ADDED_P99_MS = 2;

const mainOf = (app) => join(root, 'dist', 'apps', app, 'src', 'main.js');
if (!existsSync(mainOf('gateway'))) {
  console.error('dist/ is missing the gateway: run `npm run build` first');
  process.exit(2);
}
const upstreamKind = opts.upstream ?? (existsSync(mainOf('directory')) ? 'real' : 'stub');
const upstreamApp = upstreamKind === 'real' ? 'directory' : 'gateway/src/testing/stub';

const internalToken = randomBytes(24).toString('base64url');
const adminKey = `kl_admin_${randomBytes(32).toString('base64url')}`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const dataDir = mkdtempSync(join(tmpdir(), 'keyline-bench-gateway-'));
const children = [];
const cleanups = [];

/**
 * The directory's database: embedded SQLite in a temp DATA_DIR, or a throw-away PostgreSQL database
 * where the SQLite addon is not built for this Node.
 */
async function directoryDatabase() {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    new Database(':memory:').close();
    return { kind: 'sqlite', env: { DATA_DIR: dataDir, DATABASE_URL: '' } };
  } catch {
    const admin = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `keyline_bench_gateway_${randomBytes(4).toString('hex')}`;
    const run = async (sql) => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await run(`CREATE DATABASE "${name}"`);
    cleanups.push(() => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return { kind: 'postgres', env: { DATABASE_URL: url.toString() } };
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function start(name, app, env) {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [mainOf(app)], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return url;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function json(method, url, key, body) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

function load(url, headers, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections, duration: seconds, pipelining: 1 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const summary = (r) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p90Ms: r.latency.p90,
  p99Ms: r.latency.p99,
  maxMs: r.latency.max,
  errors: r.errors + r.timeouts + r.non2xx,
  total: r.requests.total,
});

async function main() {
  const db = upstreamKind === 'real' ? await directoryDatabase() : { kind: 'none', env: {} };
  const upstream = await start(upstreamKind === 'real' ? 'directory' : 'stand-in directory', upstreamApp, {
    REDIS_URL: redisUrl,
    INTERNAL_TOKEN: internalToken,
    PLATFORM_ADMIN_API_KEY: adminKey,
    ...db.env,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  });
  const gateway = await start('gateway', 'gateway', {
    REDIS_URL: redisUrl,
    INTERNAL_TOKEN: internalToken,
    DIRECTORY_URL: upstream,
    // Limits far above the offered load: every request still pays for the Redis token-bucket call.
    RATE_LIMIT_KEY_PER_SECOND: '1000000',
    RATE_LIMIT_KEY_BURST: '1000000',
    RATE_LIMIT_IP_KEYED_PER_SECOND: '1000000',
    RATE_LIMIT_IP_KEYED_BURST: '1000000',
  });

  const slug = `bench-${randomBytes(4).toString('hex')}`;
  await json('POST', `${gateway}/v1/tenants`, adminKey, { slug, name: 'Gateway benchmark' });
  const { key } = await json('POST', `${gateway}/v1/tenants/${slug}/api-keys`, adminKey, { name: 'bench', scopes: ['admin'] });
  const principal = await json('GET', `${gateway}/v1/whoami`, key);

  const direct = {
    url: `${upstream}/v1/whoami`,
    headers: {
      'x-keyline-internal-token': internalToken,
      'x-keyline-principal': Buffer.from(JSON.stringify(principal)).toString('base64url'),
    },
  };
  const viaGateway = { url: `${gateway}/v1/whoami`, headers: { authorization: `Bearer ${key}` } };

  console.log(`upstream: ${upstreamKind} directory (${db.kind}); ${connections} connections, ${duration} s per run after ${warmup} s warm-up; ${cpus().length} CPUs`);
  await load(direct.url, direct.headers, warmup);
  await load(viaGateway.url, viaGateway.headers, warmup);
  const d = summary(await load(direct.url, direct.headers, duration));
  const g = summary(await load(viaGateway.url, viaGateway.headers, duration));

  const ratio = g.requestsPerSecond / d.requestsPerSecond;
  const addedP99 = g.p99Ms - d.p99Ms;
  const rows = [
    ['', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'],
    ['direct (directory)', d.requestsPerSecond, d.p50Ms, d.p90Ms, d.p99Ms, d.errors],
    ['through gateway', g.requestsPerSecond, g.p50Ms, g.p90Ms, g.p99Ms, g.errors],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  const okRatio = ratio >= TARGET_RATIO;
  const okP99 = addedP99 < TARGET_ADDED_P99_MS;
  console.log(`throughput kept: ${(ratio * 100).toFixed(1)}% (target >= ${TARGET_RATIO * 100}%) ${okRatio ? 'OK' : 'MISSED'}`);
  console.log(`added p99: ${addedP99.toFixed(2)} ms (target < ${TARGET_ADDED_P99_MS} ms) ${okP99 ? 'OK' : 'MISSED'}`);

  const results = join(root, 'bench', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(
    join(results, 'gateway.json'),
    `${JSON.stringify(
      {
        scenario: 'gateway',
        at: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        upstream: upstreamKind,
        database: db.kind,
        connections,
        durationSeconds: duration,
        direct: d,
        gateway: g,
        throughputRatio: Number(ratio.toFixed(3)),
        addedP50Ms: Number((g.p50Ms - d.p50Ms).toFixed(2)),
        addedP99Ms: Number(addedP99.toFixed(2)),
        targets: { throughputRatio: TARGET_RATIO, addedP99Ms: TARGET_ADDED_P99_MS },
        met: okRatio && okP99,
      },
      null,
      2,
    )}\n`,
  );
  return okRatio && okP99 && d.errors === 0 && g.errors === 0;
}

async function stopAll() {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null) return resolve();
          const killer = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  rmSync(dataDir, { recursive: true, force: true });
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
}

let code = 1;
try {
  code = (await main()) ? 0 : 1;
} catch (err) {
  console.error(err.message);
} finally {
  await stopAll();
}
process.exit(code);
