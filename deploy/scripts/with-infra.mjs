// Runs a command (the integration and e2e tiers) with real PostgreSQL, Redis and Kafka available:
// checks/starts them, installs Chromium for the browser e2e test when missing, builds the apps the
// tests spawn, runs the command, and stops the Kafka broker again if this script started it.
import { spawnSync } from 'node:child_process';
import { stop as stopKafka } from '../kafka/kafka.mjs';
import { ensureChromium, ensureKafka, ensurePostgres, ensureRedis, root } from './infra.mjs';

const [cmd, ...args] = process.argv.slice(2);
await ensurePostgres();
await ensureRedis();
ensureChromium();
const kafka = await ensureKafka();
let status = 1;
try {
  const build = spawnSync(process.execPath, ['deploy/scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const bin = cmd === 'jest' ? 'node_modules/.bin/jest' : cmd;
  status = spawnSync(bin, args, { cwd: root, stdio: 'inherit', env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' } }).status ?? 1;
} finally {
  if (kafka.started && !process.env.KEEP_KAFKA) await stopKafka();
}
process.exit(status);
