import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { waitFor } from './wait';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash). */
  kill(): Promise<void>;
}

/**
 * Runs a built app (dist/apps/<name>/src/main.js, from `npm run build`) as a real process on the
 * project's Node (process.execPath) and waits until /health/live answers.
 */
export async function startServiceProcess(
  name: string,
  env: Record<string, string | undefined>,
  opts: { port?: number; readyPath?: string; timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort());
  const main = join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js');
  let out = '';
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`);
        const r = await fetch(url + (opts.readyPath ?? '/health/live'));
        return r.ok;
      },
      opts.timeoutMs ?? 30_000,
      100,
      `${name} to start`,
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- ${name} output ---\n${out}`);
  }
  return {
    name,
    url,
    port,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
