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
    // Bounds that keep a hang from eating CI's time: the load test takes about 70 s on 2 cores, a cluster with its
    // product starts in about 20 s (.ci/run also caps the whole phase at 15 minutes).
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
