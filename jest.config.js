// Three tiers (CONVENTIONS.md): unit (*.spec.ts), integration (*.int-spec.ts, real Postgres, Redis
// and Kafka), e2e (e2e/**/*.e2e-spec.ts, the whole platform through the gateway).
const { swcOptions, tsPaths } = require('./deploy/scripts/swc-options.cjs');

const ESM_ONLY = '(?:@nestjs|jose|openid-client|oauth4webapi)';

const moduleNameMapper = Object.fromEntries(
  Object.entries(tsPaths()).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const base = {
  rootDir: __dirname,
  // Apps are spawned from dist/; never let jest find compiled copies of specs there.
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcOptions({ withPaths: false }), swcrc: false }],
    // NestJS 12, jose, openid-client (and oauth4webapi under it) ship ES modules only; Node runs them
    // through require(esm), jest needs them as CJS.
    [`^.+/node_modules/${ESM_ONLY}/.+\\.js$`]: ['@swc/jest', { ...swcOptions({ withPaths: false }), swcrc: false }],
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  reporters: ['default', '<rootDir>/deploy/scripts/jest-summary-reporter.cjs'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,deploy}/**/*.spec.ts'] },
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
