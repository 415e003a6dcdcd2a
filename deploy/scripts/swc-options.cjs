// One source of truth for compiling TypeScript with swc (build and jest): decorators with metadata
// for NestJS, and the path aliases of tsconfig.base.json rewritten to relative requires.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

function tsPaths() {
  return JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
}

function swcOptions({ withPaths = true } = {}) {
  return {
    sourceMaps: true,
    module: { type: 'commonjs', strictMode: true },
    jsc: {
      target: 'es2023',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
      ...(withPaths ? { baseUrl: root, paths: tsPaths() } : {}),
    },
  };
}

module.exports = { swcOptions, tsPaths, root };
