import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the product in its production shape against a real Temporal cluster (test/cluster/).
 * Not part of `npm test`: it builds Temporal server binaries once, needs PostgreSQL, and takes minutes.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/cluster/**/*.test.ts'],
    // One cluster at a time: each is four server processes and a product of four; two at once on 2 cores would
    // measure the machine, not the product.
    fileParallelism: false,
    globalSetup: ['test/cluster/global-setup.ts'],
    setupFiles: ['test/setup-integration.ts'],
    testTimeout: 420_000,
    hookTimeout: 300_000,
  },
});
