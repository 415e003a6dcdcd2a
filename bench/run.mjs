// `npm run bench -- <scenario>` runs bench/<scenario>/run.mjs after building; `npm run bench:all` runs
// every scenario. Each scenario starts what it needs, prints a table and writes bench/results/<name>.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const scenarios = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.mjs')))
  .map((d) => d.name);
const wanted = process.argv[2];
if (!wanted || (wanted !== 'all' && !scenarios.includes(wanted))) {
  console.error(`usage: npm run bench -- <${scenarios.join('|')}>   or   npm run bench:all`);
  process.exit(2);
}
const build = spawnSync(process.execPath, [join(root, 'deploy', 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const s of wanted === 'all' ? scenarios : [wanted]) {
  console.log(`\n=== bench: ${s} ===`);
  const r = spawnSync(process.execPath, [join(here, s, 'run.mjs'), ...process.argv.slice(3)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
