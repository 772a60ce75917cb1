import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the reliability suite (test/chaos/*.chaos.ts). The product's process tree on one DATA_DIR
 * (Temporal dev server, worker.ts, server.ts) under a bounded load while the worker, the API, the dev server and the
 * whole tree are SIGKILLed in turn. Not part of `npm test` (which runs only test/chaos/worker-kill.test.ts).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/chaos/**/*.chaos.ts'],
    // One tree at a time: two on 2 cores would measure the machine, not the product.
    fileParallelism: false,
    globalSetup: ['test/chaos/global-setup.ts'],
    setupFiles: ['test/setup-integration.ts'],
    // Bounds that keep a hang from eating CI's time (.ci/run also caps the phase at 10 minutes).
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
