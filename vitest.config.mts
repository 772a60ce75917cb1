import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Forks, not threads: the Temporal core bridge and better-sqlite3 are native modules that are safest with one
    // process per test file.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // test/e2e (the approver console in Chromium) shares this project's dev server.
          // test/cluster runs on its own (`npm run test:cluster`, vitest.cluster.config.mts).
          exclude: ['test/unit/**', 'test/cluster/**', '**/node_modules/**'],
          // One Temporal dev server and one workflow bundle for the whole run (see test/global-setup.ts).
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/setup-integration.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
