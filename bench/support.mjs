// Shared plumbing of the benchmark scenarios: real processes from dist/, throw-away PostgreSQL
// databases, an open-loop load generator with microsecond latencies, and plain-text tables.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const mainOf = (app) => join(root, 'dist', 'apps', app, 'src', 'main.js');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Processes and databases of one benchmark run, all torn down by `stopAll`. */
export function createStack() {
  const children = [];
  const cleanups = [];

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
        if ((await fetch(`${url}/health/ready`)).ok) return { url, pid: child.pid, output: () => out };
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} did not become ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A new, empty PostgreSQL database, dropped at the end. */
  async function pgDatabase(label) {
    const admin = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `keyline_bench_${label}_${randomBytes(4).toString('hex')}`;
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
    return url.toString();
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
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }

  // Interrupted (Ctrl-C, kill): still stop the processes and drop the databases.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }

  return { start, pgDatabase, stopAll, onStop: (fn) => cleanups.push(fn) };
}

export async function json(method, url, key, body) {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

export const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Open loop at a fixed rate over a keep-alive pool: latency with microsecond resolution, independent of
 * throughput. `request(i)` gives the i-th request ({ method, path, headers, body }); a status other
 * than `expect` counts as an error.
 */
export async function openLoop(origin, request, perSecond, seconds, { connections = 64, expect = 200, warmupSeconds = 1 } = {}) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  try {
    if (warmupSeconds) await openLoopOn(pool, request, perSecond, warmupSeconds, expect);
    return await openLoopOn(pool, request, perSecond, seconds, expect);
  } finally {
    await pool.close();
  }
}

async function openLoopOn(pool, request, perSecond, seconds, expect) {
  const latencies = [];
  let errors = 0;
  let firstError;
  const inflight = new Set();
  const started = performance.now();
  let sent = 0;
  const total = Math.round(perSecond * seconds);
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
      for (; sent < due; sent++) {
        const t0 = performance.now();
        const p = pool
          .request(request(sent))
          .then(async (res) => {
            const body = await res.body.text();
            if (res.statusCode !== expect) {
              errors++;
              firstError ??= `${res.statusCode} ${body.slice(0, 300)}`;
            }
            latencies.push(performance.now() - t0);
          })
          .catch((err) => {
            errors++;
            firstError ??= err.message;
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const ms = (v) => Number((v ?? NaN).toFixed(2));
  const result = {
    requests: total,
    requestsPerSecond: perSecond,
    p50Ms: ms(percentile(latencies, 50)),
    p90Ms: ms(percentile(latencies, 90)),
    p99Ms: ms(percentile(latencies, 99)),
    maxMs: ms(latencies[latencies.length - 1]),
    errors,
    ...(firstError ? { firstError } : {}),
  };
  // The raw samples, for callers that merge runs; kept out of JSON reports.
  return Object.defineProperty(result, 'latencies', { value: latencies, enumerable: false });
}

/** Closed loop: `connections` requests always in flight for `seconds`; throughput and latency. */
export async function closedLoop(origin, request, connections, seconds, { expect = 200 } = {}) {
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const latencies = [];
  let errors = 0;
  let firstError;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          try {
            const res = await pool.request(request(i++));
            const body = await res.body.text();
            if (res.statusCode !== expect) {
              errors++;
              firstError ??= `${res.statusCode} ${body.slice(0, 300)}`;
            }
          } catch (err) {
            errors++;
            firstError ??= err.message;
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const ms = (v) => Number((v ?? NaN).toFixed(2));
  return {
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: ms(percentile(latencies, 50)),
    p99Ms: ms(percentile(latencies, 99)),
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
}

/** Writes a scenario's figures to bench/results/<name>.json (gitignored) for trend tracking. */
export function writeReport(name, report) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: bench/results/${name}.json`);
}

/**
 * Runs a scenario's `main` (true when its targets are met), always tears its stack down, and exits
 * 0 (targets met), 1 (missed or failed).
 */
export async function runScenario(main, cleanup) {
  let code = 1;
  try {
    code = (await main()) ? 0 : 1;
  } catch (err) {
    console.error(err.stack ?? err.message);
  } finally {
    await cleanup();
  }
  process.exit(code);
}
