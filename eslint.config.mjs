import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.cache/**', '**/.data/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // An app is wiring; it may use platform libs and contracts, never another app.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:data-access', 'type:feature', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:util', 'type:contracts', 'type:testing'] },
            // A context reaches another context only through that context's contracts.
            { sourceTag: 'scope:directory', onlyDependOnLibsWithTags: ['scope:directory', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:authn', onlyDependOnLibsWithTags: ['scope:authn', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:consent', onlyDependOnLibsWithTags: ['scope:consent', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:sessions', onlyDependOnLibsWithTags: ['scope:sessions', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:platform', 'scope:shared-contracts'] },
            { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:platform', 'scope:shared-contracts'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
