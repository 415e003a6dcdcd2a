// Rebuilds native addons without N-API prebuilds against the project's own Node.js (the `node`
// devDependency), so that every npm script, which runs on that Node, can load them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const nodePkgDir = join(root, 'node_modules', 'node', 'node_modules');
const archDir = existsSync(nodePkgDir)
  ? readdirSync(nodePkgDir).find((d) => d.startsWith(`node-${process.platform}-`))
  : undefined;

if (!archDir) {
  console.log('[postinstall] the node@24 package is not installed; skipping native rebuilds');
  process.exit(0);
}
const nodedir = join(nodePkgDir, archDir);
const nodeBin = join(nodedir, 'bin', 'node');
const version = execFileSync(nodeBin, ['--version']).toString().trim();

function loads(mod) {
  try {
    execFileSync(nodeBin, ['-e', `require(${JSON.stringify(mod)})`], { stdio: 'ignore', cwd: root });
    return true;
  } catch {
    return false;
  }
}

for (const mod of ['better-sqlite3']) {
  if (!existsSync(join(root, 'node_modules', mod))) continue;
  if (loads(mod)) {
    console.log(`[postinstall] ${mod} already loads on Node ${version}`);
    continue;
  }
  console.log(`[postinstall] rebuilding ${mod} for Node ${version} from ${nodedir}`);
  execFileSync('npm', ['rebuild', mod, `--nodedir=${nodedir}`, '--build-from-source'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, PATH: `${join(nodedir, 'bin')}:${process.env.PATH}`, npm_config_build_from_source: 'true' },
  });
  if (!loads(mod)) {
    console.error(`[postinstall] ${mod} still does not load on Node ${version}`);
    process.exit(1);
  }
}
