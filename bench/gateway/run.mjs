// Gateway overhead benchmark: the same authenticated `GET /v1/whoami`, once straight to the directory
// (carrying the internal headers the gateway would add) and once through the gateway (API key check,
// Redis token bucket, principal forwarding, keep-alive pool). Assumes `npm run build`; run with
// `npm run bench -- gateway` or `npx node bench/gateway/run.mjs [--duration 5] [--rounds 3]
// [--connections 50] [--warmup 3] [--rate 1000] [--upstream real|stub]`. Prints tables and writes
// bench/results/gateway.json.
//
// Two measurements, because a closed loop at saturation cannot show latency overhead (there latency is
// just connections / throughput):
// - saturation: `--connections` closed-loop connections for `--duration` s -> throughput kept
//   (target >= 60% of direct), plus CPU time per request of each process;
// - fixed rate: an open loop at `--rate` req/s, below saturation -> latency added (target < 2 ms at p99).
// Both run `--rounds` times, direct and gateway back to back in each round, and the medians are
// reported: on a shared machine the background load drifts, and alternating keeps it out of the ratio.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createStack, json, mainOf, median, openLoop as openLoopAt, root, table, runScenario, writeReport } from '../support.mjs';
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    upstream: { type: 'string' },
  },
});
const duration = Number(opts.duration);
const rounds = Math.max(1, Number(opts.rounds));
const connections = Number(opts.connections);
const warmup = Number(opts.warmup);
const rate = Number(opts.rate);
const TARGET_RATIO = 0.6;
const TARGET_ADDED_P99_MS = 2;

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
const stack = createStack();

/**
 * The directory's database: embedded SQLite in a temp DATA_DIR, or a throw-away PostgreSQL database
 * where the SQLite addon is not built for this Node.
 */
async function directoryDatabase() {
  // Probed in a child: loading the addon here would tie its teardown to this process.
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' });
  if (probe.status === 0) return { kind: 'sqlite', env: { DATA_DIR: dataDir, DATABASE_URL: '' } };
  return { kind: 'postgres', env: { DATABASE_URL: await stack.pgDatabase('gateway') } };
}

/** CPU time (user + system, ms) a process has used so far; Linux only. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function redisPid() {
  const r = spawnSync('sh', ['-c', 'pgrep -x redis-server | head -1']);
  const pid = Number(r.stdout?.toString().trim());
  return pid > 0 ? pid : undefined;
}

function closedLoop(target, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url: target.url, headers: target.headers, connections, duration: seconds, pipelining: 1 }, (err, r) =>
      err ? reject(err) : resolve(r),
    );
  });
}

/** Closed loop at saturation, with CPU time per request of every process involved. */
async function saturate(target, pids) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  const own = process.cpuUsage();
  const r = await closedLoop(target, duration);
  const n = r.requests.total || 1;
  const ownUs = process.cpuUsage(own);
  const cpuMsUsed = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid) - before[k]]));
  cpuMsUsed.loadgen = (ownUs.user + ownUs.system) / 1000;
  const cpuUsPerRequest = Object.fromEntries(Object.entries(cpuMsUsed).map(([k, ms]) => [k, Math.round((ms * 1000) / n)]));
  return {
    cpuMsUsed,
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
    cpuUsPerRequest,
  };
}

/** Median figures of several saturation runs; CPU per request over all of their requests. */
function combineSaturation(runs) {
  const total = runs.reduce((a, r) => a + r.total, 0) || 1;
  const cpuUsPerRequest = Object.fromEntries(
    Object.keys(runs[0].cpuUsPerRequest).map((k) => [k, Math.round((runs.reduce((a, r) => a + r.cpuMsUsed[k], 0) * 1000) / total)]),
  );
  return {
    requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    total,
    cpuUsPerRequest,
    runs: runs.map(({ requestsPerSecond, p99Ms }) => ({ requestsPerSecond, p99Ms })),
  };
}

function combineLatency(runs) {
  const pick = (k) => Number(median(runs.map((r) => r[k])).toFixed(2));
  return {
    requestsPerSecond: runs[0].requestsPerSecond,
    p50Ms: pick('p50Ms'),
    p90Ms: pick('p90Ms'),
    p99Ms: pick('p99Ms'),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    runs: runs.map(({ p99Ms }) => p99Ms),
  };
}

/** Open loop at a fixed rate: latency with microsecond resolution, independent of throughput. */
function openLoop(target, perSecond, seconds) {
  const u = new URL(target.url);
  return openLoopAt(u.origin, () => ({ method: 'GET', path: u.pathname, headers: target.headers }), perSecond, seconds);
}

async function main() {
  const db = upstreamKind === 'real' ? await directoryDatabase() : { kind: 'none', env: {} };
  const upstream = await stack.start(upstreamKind === 'real' ? 'directory' : 'stand-in directory', upstreamApp, {
    REDIS_URL: redisUrl,
    INTERNAL_TOKEN: internalToken,
    PLATFORM_ADMIN_API_KEY: adminKey,
    ...db.env,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  });
  const gateway = await stack.start('gateway', 'gateway', {
    REDIS_URL: redisUrl,
    INTERNAL_TOKEN: internalToken,
    DIRECTORY_URL: upstream.url,
    // Limits far above the offered load: every request still pays for its Redis token-bucket call.
    RATE_LIMIT_KEY_PER_SECOND: '1000000',
    RATE_LIMIT_KEY_BURST: '1000000',
    RATE_LIMIT_IP_KEYED_PER_SECOND: '1000000',
    RATE_LIMIT_IP_KEYED_BURST: '1000000',
  });

  const slug = `bench-${randomBytes(4).toString('hex')}`;
  await json('POST', `${gateway.url}/v1/tenants`, adminKey, { slug, name: 'Gateway benchmark' });
  const { key } = await json('POST', `${gateway.url}/v1/tenants/${slug}/api-keys`, adminKey, { name: 'bench', scopes: ['admin'] });
  const principal = await json('GET', `${gateway.url}/v1/whoami`, key);

  const direct = {
    url: `${upstream.url}/v1/whoami`,
    headers: {
      'x-keyline-internal-token': internalToken,
      'x-keyline-principal': Buffer.from(JSON.stringify(principal)).toString('base64url'),
    },
  };
  const viaGateway = { url: `${gateway.url}/v1/whoami`, headers: { authorization: `Bearer ${key}` } };
  const redis = redisPid();
  const pids = { directory: upstream.pid, gateway: gateway.pid, ...(redis ? { redis } : {}) };

  const load = loadavg()[0].toFixed(2);
  console.log(`upstream: ${upstreamKind} directory (${db.kind}); ${cpus().length} CPUs, load average ${load}; Node ${process.version}`);
  await closedLoop(direct, warmup);
  await closedLoop(viaGateway, warmup);
  const sat = { direct: [], gateway: [] };
  const lat = { direct: [], gateway: [] };
  for (let i = 0; i < rounds; i++) {
    sat.direct.push(await saturate(direct, pids));
    sat.gateway.push(await saturate(viaGateway, pids));
  }
  for (let i = 0; i < rounds; i++) {
    lat.direct.push(await openLoop(direct, rate, duration));
    lat.gateway.push(await openLoop(viaGateway, rate, duration));
  }
  const d = combineSaturation(sat.direct);
  const g = combineSaturation(sat.gateway);
  const dl = combineLatency(lat.direct);
  const gl = combineLatency(lat.gateway);
  // Per round: the two sides ran back to back under the same background load.
  const ratios = sat.direct.map((r, i) => sat.gateway[i].requestsPerSecond / r.requestsPerSecond);
  const addedP99s = lat.direct.map((r, i) => lat.gateway[i].p99Ms - r.p99Ms);

  const cpu = (r) => Object.entries(r.cpuUsPerRequest).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`\nSaturation: ${connections} connections, closed loop, ${rounds} × ${duration} s (medians)`);
  table([
    ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs per request'],
    ['direct (directory)', d.requestsPerSecond, d.p50Ms, d.p99Ms, d.errors, cpu(d)],
    ['through gateway', g.requestsPerSecond, g.p50Ms, g.p99Ms, g.errors, cpu(g)],
  ]);
  console.log(`\nLatency: open loop at ${rate} req/s, ${rounds} × ${duration} s (medians)`);
  table([
    ['', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'],
    ['direct (directory)', dl.p50Ms, dl.p90Ms, dl.p99Ms, dl.maxMs, dl.errors],
    ['through gateway', gl.p50Ms, gl.p90Ms, gl.p99Ms, gl.maxMs, gl.errors],
  ]);

  const ratio = median(ratios);
  const addedP99 = median(addedP99s);
  const okRatio = ratio >= TARGET_RATIO;
  const okP99 = addedP99 < TARGET_ADDED_P99_MS;
  const list = (v, f) => v.map(f).join(', ');
  console.log(
    `\nthroughput kept at saturation: ${(ratio * 100).toFixed(1)}% (target >= ${TARGET_RATIO * 100}%) ${okRatio ? 'OK' : 'MISSED'}` +
      `  [rounds: ${list(ratios, (r) => `${(r * 100).toFixed(1)}%`)}]`,
  );
  console.log(
    `p99 added at ${rate} req/s: ${addedP99.toFixed(2)} ms (target < ${TARGET_ADDED_P99_MS} ms) ${okP99 ? 'OK' : 'MISSED'}` +
      `  [rounds: ${list(addedP99s, (v) => v.toFixed(2))}]`,
  );
  console.log(`load average after the runs: ${loadavg()[0].toFixed(2)}`);
  console.log(`p99 added at saturation (queueing, informational): ${(g.p99Ms - d.p99Ms).toFixed(2)} ms`);

  const report = {
    scenario: 'gateway',
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadAverage: Number(load),
    upstream: upstreamKind,
    database: db.kind,
    rounds,
    saturation: { connections, durationSeconds: duration, direct: d, gateway: g },
    fixedRate: { requestsPerSecond: rate, durationSeconds: duration, direct: dl, gateway: gl },
    throughputRatio: Number(ratio.toFixed(3)),
    throughputRatios: ratios.map((r) => Number(r.toFixed(3))),
    addedP99Ms: Number(addedP99.toFixed(2)),
    addedP99sMs: addedP99s.map((v) => Number(v.toFixed(2))),
    addedP99AtSaturationMs: Number((g.p99Ms - d.p99Ms).toFixed(2)),
    targets: { throughputRatio: TARGET_RATIO, addedP99Ms: TARGET_ADDED_P99_MS },
    met: { throughput: okRatio, latency: okP99 },
  };
  writeReport('gateway', report);
  return okRatio && okP99 && d.errors + g.errors + dl.errors + gl.errors === 0;
}

async function stopAll() {
  await stack.stopAll();
  rmSync(dataDir, { recursive: true, force: true });
}

await runScenario(main, stopAll);
