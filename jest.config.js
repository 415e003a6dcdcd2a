// Three tiers (CONVENTIONS.md): unit (*.spec.ts), integration (*.int-spec.ts, real Postgres, Redis
// and Kafka), e2e (e2e/**/*.e2e-spec.ts, the whole platform through the gateway).
const { swcOptions, tsPaths } = require('./deploy/scripts/swc-options.cjs');

const moduleNameMapper = Object.fromEntries(
  Object.entries(tsPaths()).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcOptions({ withPaths: false }), swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/libs/platform/testing/src/jest-setup.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/libs/platform/testing/src/jest-setup.ts'],
    },
  ],
};
