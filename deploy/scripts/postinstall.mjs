// Rebuilds native addons without N-API prebuilds against the project's own Node.js (the `node`
// devDependency), so that every npm script, which runs on that Node, can load them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();
const log = (m) => console.log(`[postinstall] ${m}`);
const nodePkg = join(root, 'node_modules', 'node', 'package.json');
if (!existsSync(nodePkg)) {
  log('the node@24 package is not installed; skipping native rebuilds');
  process.exit(0);
}
const version = JSON.parse(readFileSync(nodePkg, 'utf8')).version;
const archPkg = `node-${process.platform}-${process.arch}`;

/** Node headers for node-gyp: the arch package the `node` package installed, or a fresh copy of it. */
function nodeDir() {
  const nested = join(root, 'node_modules', 'node', 'node_modules', archPkg);
  if (existsSync(join(nested, 'include', 'node'))) return nested;
  // `npm install <pkg>` prunes that nested package (it is installed with --no-save); fetch it again.
  const dest = join(tmpdir(), `keyline-${archPkg}-${version}`);
  if (!existsSync(join(dest, 'package', 'include', 'node'))) {
    mkdirSync(dest, { recursive: true });
    const file = execFileSync('npm', ['pack', `${archPkg}@${version}`, '--pack-destination', dest], { cwd: dest })
      .toString()
      .trim()
      .split('\n')
      .pop();
    execFileSync('tar', ['-xzf', join(dest, file), '-C', dest]);
  }
  return join(dest, 'package');
}

const nodeBin = join(root, 'node_modules', 'node', 'bin', 'node');
// The binding loads lazily, on first use: open a database to be sure.
const probes = { 'better-sqlite3': "new (require('better-sqlite3'))(':memory:').close()" };
function loads(mod) {
  try {
    execFileSync(nodeBin, ['-e', probes[mod]], { stdio: 'ignore', cwd: root });
    return true;
  } catch {
    return false;
  }
}

for (const mod of ['better-sqlite3']) {
  if (!existsSync(join(root, 'node_modules', mod))) continue;
  if (loads(mod)) {
    log(`${mod} loads on Node ${version}`);
    continue;
  }
  const nodedir = nodeDir();
  log(`rebuilding ${mod} for Node ${version} with headers from ${nodedir}`);
  execFileSync('npm', ['rebuild', mod, `--nodedir=${nodedir}`, '--build-from-source'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, PATH: `${join(root, 'node_modules', 'node', 'bin')}:${process.env.PATH}`, npm_config_build_from_source: 'true' },
  });
  if (!loads(mod)) {
    console.error(`[postinstall] ${mod} still does not load on Node ${version}`);
    process.exit(1);
  }
}
