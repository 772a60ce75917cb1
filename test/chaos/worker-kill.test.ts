/**
 * The bounded part of the reliability suite in `npm test`: the product's tree (Temporal dev server, worker.ts and
 * server.ts on one DATA_DIR) under a small load while the worker is SIGKILLed and started again; every check of
 * the full suite afterwards (`npm run test:chaos` runs all the faults).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe } from 'vitest';
import { chaosSuite, FAULTS } from './suite';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-chaos-'));

describe('the product tree while its worker is SIGKILLed', () => {
  chaosSuite({ dir: path.join(root, 'tree'), pidFile: path.join(root, 'pids'), shape: 'processes', faults: [FAULTS.worker], ordersPerFault: 12, strikes: 1, concurrency: 4 });
});

afterAll(() => {
  // The suite removes its tree unless it failed (then its logs stay for a look).
  if (!fs.existsSync(path.join(root, 'tree'))) fs.rmSync(root, { recursive: true, force: true });
});
