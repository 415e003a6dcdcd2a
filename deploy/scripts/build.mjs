// Compiles apps/ and libs/ TypeScript to dist/ with swc (fast, no type check: `npm run
// typecheck` does that). Specs are left out. Incremental by default: swc only rewrites what changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { swcOptions, root } = require('./swc-options.cjs');

const config = {
  ...swcOptions(),
  exclude: ['\\.spec\\.ts$', '\\.int-spec\\.ts$', '\\.e2e-spec\\.ts$', '\\.d\\.ts$'],
};
mkdirSync(join(root, 'dist'), { recursive: true });
const rc = join(root, 'dist', '.swcrc');
writeFileSync(rc, JSON.stringify(config, null, 2));
const swc = join(root, 'node_modules', '.bin', 'swc');
const r = spawnSync(swc, ['apps', 'libs', '-d', 'dist', '--config-file', rc, '--quiet'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
