/**
 * `npm run test:chaos`: the product's tree under a bounded load while the worker, the API, the Temporal dev server
 * and the whole tree are SIGKILLed in turn (one fault at a time, then what was killed is started again). After each:
 * every accepted order in exactly one end or waiting state, no decision lost or applied twice, holds exactly once,
 * every event delivered to a verifying webhook receiver, integrity_check ok on both SQLite files. One JSON line per
 * fault (docs/reliability.md quotes them).
 */
import path from 'node:path';
import { describe, inject } from 'vitest';
import { chaosSuite, type Fault, FAULTS, NPM_START_FAULTS } from './suite';

/** All faults of a table, or those a comma-separated list names (empty: none), for debugging one. */
function pick(table: Record<string, Fault>, list: string | undefined): Fault[] {
  if (list === undefined) return Object.values(table);
  return list
    .split(',')
    .filter(Boolean)
    .map((name) => {
      const f = table[name];
      if (!f) throw new Error(`no fault ${name}; known: ${Object.keys(table).join(', ')}`);
      return f;
    });
}

describe('the product tree under SIGKILL, one part at a time', () => {
  chaosSuite({
    dir: path.join(inject('chaosRunDir'), 'faults'),
    pidFile: inject('chaosPidFile'),
    shape: 'processes',
    // CHAOS_FAULTS=temporal,tree (and CHAOS_NPM_FAULTS=group,tree) run some of them while debugging one.
    faults: pick(FAULTS, process.env.CHAOS_FAULTS),
    ordersPerFault: 36,
    strikes: 2,
    concurrency: 6,
  });
});

describe('npm start under SIGKILL', () => {
  chaosSuite({
    dir: path.join(inject('chaosRunDir'), 'npm-start'),
    pidFile: inject('chaosPidFile'),
    shape: 'npm-start',
    faults: pick(NPM_START_FAULTS, process.env.CHAOS_NPM_FAULTS),
    ordersPerFault: 36,
    strikes: 2,
    concurrency: 6,
  });
});
