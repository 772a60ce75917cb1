// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Every Node builtin, bare and `node:`-prefixed: none of them exists in the workflow sandbox. */
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

/** Imports that would drag I/O or non-determinism into the workflow bundle. */
const workflowRestrictedImports = {
  paths: [
    ...nodeBuiltins.map((name) => ({
      name,
      message: 'Workflow code runs in a deterministic sandbox without Node builtins: do this in an activity.',
    })),
    ...['better-sqlite3', 'drizzle-orm', 'fastify', 'pino'].map((name) => ({
      name,
      message: 'Workflow code must not do I/O: call an activity instead.',
    })),
  ],
  patterns: [
    {
      regex: '^node:',
      message: 'Workflow code runs in a deterministic sandbox without Node builtins: do this in an activity.',
    },
    { regex: '^(drizzle-orm|@fastify)/', message: 'Workflow code must not do I/O: call an activity instead.' },
    {
      // `import type { ReviewActivities } from '../activities'` is fine (and needed for proxyActivities<...>).
      regex: '^(\\.\\./)+activities(/|$)',
      allowTypeImports: true,
      message: 'Import only types from activities (`import type`); a value import drags SQLite and fs into the sandbox.',
    },
    { regex: '^(\\.\\./)+(db|api)(/|$)', message: 'Workflow code must not touch the database or the API: use an activity.' },
    {
      regex: '^(\\.\\./)+domain/policy$',
      allowTypeImports: true,
      message: 'The policy is parsed outside the workflow and passed in as input; import only its types here.',
    },
    {
      regex: '^(\\.\\./)+config$',
      allowTypeImports: true,
      message: 'Configuration is read by entry points; pass what the workflow needs as input.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'data/', 'dist/', 'bench/results/', 'db/migrations/', 'test/e2e/artifacts/', 'coverage/'],
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.mts', 'vitest.cluster.config.mts', 'vitest.chaos.config.mts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The approver console: browser ES modules, type-checked through JSDoc by api/console/tsconfig.json (which
    // also makes `no-undef` redundant: tsc knows the DOM's globals and nothing else).
    files: ['api/console/public/**/*.js'],
    extends: [tseslint.configs.base],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_' }],
      'prefer-const': 'error',
      'no-var': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      // Values from the API reach the page as text, never as markup.
      'no-restricted-syntax': [
        'error',
        { selector: "AssignmentExpression > MemberExpression.left[property.name=/^(innerHTML|outerHTML)$/]", message: 'Set textContent or build elements with h(); never markup.' },
        { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]", message: 'Build elements with h(); never markup.' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', workflowRestrictedImports],
      // Replay-aware `log` from @temporalio/workflow instead: console output repeats on every replay.
      'no-console': 'error',
    },
  },
);
