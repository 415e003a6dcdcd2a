// The README's configuration table is generated from the apps' config schemas; this keeps it honest.
// Regenerate with: UPDATE_DOCS=1 npx jest --selectProjects unit deploy/config-docs
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigSchema, renderConfigTable } from '@keyline/platform-config';

const root = join(__dirname, '..');
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

function schemas(): Record<string, ConfigSchema> {
  const out: Record<string, ConfigSchema> = {};
  for (const app of readdirSync(join(root, 'apps')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- load each app's schema by path
    const mod = require(join(root, 'apps', app, 'src', 'config.ts')) as Record<string, unknown>;
    const schema = Object.values(mod).find(
      (v): v is ConfigSchema => !!v && typeof v === 'object' && Object.values(v).every((f) => f && typeof f === 'object' && 'env' in f && 'parse' in f),
    );
    if (schema) out[app] = schema;
  }
  return out;
}

describe('README configuration table', () => {
  it('lists every environment variable of every app, with its default and meaning', () => {
    const s = schemas();
    expect(Object.keys(s).sort()).toEqual(readdirSync(join(root, 'apps')).sort());
    const table = renderConfigTable(s);
    const readmePath = join(root, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const current = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END)).trim();
    if (process.env.UPDATE_DOCS) {
      writeFileSync(readmePath, readme.replace(current, table));
      return;
    }
    expect(readme).toContain(START);
    expect(current).toBe(table);
  });
});
