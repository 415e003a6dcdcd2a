import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, freePort } from './processes';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'deploy', 'kafka', 'kafka.mjs');

/**
 * A Kafka broker of one test file (deploy/kafka/kafka.mjs on free ports and a temporary data dir):
 * consumer groups and topics of the services under test never leak into, or collide with, the shared
 * broker. `stop` then `start` keeps topics and committed offsets, like restarting a real cluster node.
 */
export interface PrivateKafka {
  brokers: string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and deletes its data. */
  destroy(): Promise<void>;
}

/** Picks free ports and a data dir; `start()` starts it (services may start first and wait for it). */
export async function privateKafka(): Promise<PrivateKafka> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'keyline-kafka-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_DATA_DIR: dataDir,
  };
  // With KAFKA_BROKERS set the script would defer to that (shared) cluster instead of starting one.
  delete env.KAFKA_BROKERS;
  const cmd = async (command: 'start' | 'stop') => {
    try {
      await run(process.execPath, [SCRIPT, command], { cwd: REPO_ROOT, env, timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kafka ${command} failed: ${e.stderr || e.message}`);
    }
  };
  const kafka: PrivateKafka = {
    brokers: [`127.0.0.1:${port}`],
    start: () => cmd('start'),
    stop: () => cmd('stop'),
    destroy: async () => {
      await cmd('stop').catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return kafka;
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  const kafka = await privateKafka();
  try {
    await kafka.start();
  } catch (err) {
    await kafka.destroy();
    throw err;
  }
  return kafka;
}
