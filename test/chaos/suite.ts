/**
 * The reliability suite's body, shared by `npm run test:chaos` (every fault) and `npm test` (the worker fault only):
 * one product tree, a bounded load per fault, the fault struck while orders are in flight and what it killed
 * started again, then every check of load.ts over every order so far, and one JSON line per fault.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PidRegistry } from '../../scripts/cluster/processes';
import { type Chaos, integrity, prepare, runPhase, summaryLine, verify } from './load';
import { isAlive, type Part, startNpmTree, startTree, type Tree } from './tree';

export interface Fault {
  /** The name in the summary line. */
  name: string;
  kill: Part[];
  /** The kill leaves no process that writes either SQLite file: check both files as it left them. */
  atRest?: boolean;
  /** How long the killed parts stay down before they are started again. */
  downMs: number;
}

export const FAULTS = {
  worker: { name: 'SIGKILL worker', kill: ['worker'], downMs: 0 },
  api: { name: 'SIGKILL API', kill: ['api'], downMs: 0 },
  temporal: { name: 'SIGKILL Temporal dev server', kill: ['temporal'], downMs: 1_000 },
  tree: { name: 'SIGKILL whole tree', kill: ['worker', 'api', 'temporal'], atRest: true, downMs: 0 },
} satisfies Record<string, Fault>;

/** Faults of `npm start` itself (one process for the worker and the API, the dev server beside it). */
export const NPM_START_FAULTS = {
  group: { name: "SIGKILL npm start's process group (its dev server left running)", kill: ['start'], downMs: 0 },
  tree: { name: 'SIGKILL npm start and its dev server', kill: ['start', 'temporal'], atRest: true, downMs: 0 },
} satisfies Record<string, Fault>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SuiteOptions {
  dir: string;
  pidFile: string;
  /** `processes`: dev server, worker.ts and server.ts apart; `npm-start`: `npm start` as a user runs it. */
  shape: 'processes' | 'npm-start';
  faults: Fault[];
  ordersPerFault: number;
}

export function chaosSuite(opts: SuiteOptions): void {
  const log = (msg: string): void => console.log(`[chaos] ${msg}`);
  let tree: Tree | undefined;
  let chaos: Chaos | undefined;
  let failed = false;
  const registry = new PidRegistry(opts.pidFile);

  beforeAll(async () => {
    const t = Date.now();
    fs.mkdirSync(opts.dir, { recursive: true });
    try {
      tree = await (opts.shape === 'npm-start' ? startNpmTree : startTree)({ dir: opts.dir, registry });
      chaos = await prepare(tree);
    } catch (err) {
      failed = true;
      throw err;
    }
    log(`${opts.shape} up and seeded in ${((Date.now() - t) / 1000).toFixed(1)} s (${tree.dataDir})`);
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    await chaos?.close();
    await tree?.stop();
    // Whatever a failure left running (the registry holds every process this suite started).
    registry.killRegistered();
    if (tree && !failed) {
      // At rest after a clean stop, too.
      expect(integrity(tree)).toEqual({ app: 'ok', temporal: 'ok' });
      fs.rmSync(opts.dir, { recursive: true, force: true });
    } else if (failed) log(`logs kept in ${opts.dir}`);
  });

  for (const fault of opts.faults) {
    it(`${fault.name}: every accepted order in one end or waiting state, nothing lost or applied twice`, async () => {
      const c = chaos!;
      const t = tree!;
      let atRest: ReturnType<typeof integrity> | undefined;
      let orphan: number | undefined;
      const phase = await runPhase(c, fault.kill.join('-'), {
        orders: opts.ordersPerFault,
        fault: async () => {
          const devServer = t.temporalPid();
          await t.kill(fault.kill);
          // Killing npm start's group alone leaves its dev server running, owner gone: the restart must take over.
          orphan = !fault.kill.includes('temporal') && fault.kill.includes('start') && !!devServer && isAlive(devServer) ? devServer : undefined;
          // Everything that writes a SQLite file is dead: check the files as the kill left them.
          if (fault.atRest) atRest = integrity(t);
          await sleep(fault.downMs);
          await t.start(fault.kill).catch((err: unknown) => {
            throw new Error(`restart after ${fault.name} failed: ${String(err)}\n${t.logs()}`);
          });
        },
      });
      const v = await verify(c);
      console.log(summaryLine(fault.name, phase, v, atRest ? { integrityAtKill: atRest.app === 'ok' && atRest.temporal === 'ok' ? 'ok' : atRest } : {}));
      if (v.problems.length) log(`${fault.name}:\n  ${v.problems.join('\n  ')}\nretried responses ${JSON.stringify(c.stats.retried)}`);
      // The fault struck under load.
      expect(phase.inFlight).toBeGreaterThan(0);
      expect(phase.journeys.every((j) => j.accepted && j.final)).toBe(true);
      expect(v.problems).toEqual([]);
      expect({ lost: v.lost, duplicated: v.duplicated }).toEqual({ lost: 0, duplicated: 0 });
      expect(v.integrity).toEqual({ app: 'ok', temporal: 'ok' });
      if (atRest) expect(atRest).toEqual({ app: 'ok', temporal: 'ok' });
      if (fault.kill.includes('start') && !fault.kill.includes('temporal')) {
        expect(orphan).toBeGreaterThan(0);
        expect(isAlive(orphan!)).toBe(false);
        expect(t.temporalPid()).not.toBe(orphan);
      }
    });
  }
}
