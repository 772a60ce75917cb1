/**
 * The reliability suite's body, shared by `npm run test:chaos` (every fault) and `npm test` (the worker fault only):
 * one product tree, a bounded load per fault, the fault struck while orders are in flight and what it killed
 * started again, then every check of load.ts over every order so far, and one JSON line per fault.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { PidRegistry } from '../../scripts/cluster/processes';
import { PARALLEL_CHAINS } from '../../activities/relay';
import { type Chaos, integrity, prepare, redeliveries, runPhase, summaryLine, verify } from './load';
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
  /** How many times each fault strikes (one at a time, each while orders are in flight). */
  strikes: number;
  concurrency: number;
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
      /** Per strike, when the kill leaves nothing that writes either SQLite file: both files as the kill left them. */
      const atRest: ReturnType<typeof integrity>[] = [];
      /** Per strike of npm start's group alone: the dev server left running without its owner. */
      const orphans: (number | undefined)[] = [];
      const phase = await runPhase(c, fault.kill.join('-'), {
        orders: opts.ordersPerFault,
        strikes: opts.strikes,
        concurrency: opts.concurrency,
        fault: async () => {
          const devServer = t.temporalPid();
          await t.kill(fault.kill);
          // The dev server runs in its own group and outlives the kill, until it next writes to the pipes of its
          // dead owner: then Go's runtime ends it with SIGPIPE. So it is left running, or gone by itself, at the
          // restart; either way the restart must work and nothing of the old tree may stay.
          if (fault.kill.includes('start') && !fault.kill.includes('temporal')) orphans.push(devServer);
          if (fault.atRest) atRest.push(integrity(t));
          await sleep(fault.downMs);
          await t.start(fault.kill).catch((err: unknown) => {
            throw new Error(`restart after ${fault.name} failed: ${String(err)}\n${t.logs()}`);
          });
        },
      });
      const v = await verify(c);
      const allOk = atRest.every((r) => r.app === 'ok' && r.temporal === 'ok');
      console.log(summaryLine(fault.name, phase, v, fault.atRest ? { integrityAtKill: allOk ? 'ok' : atRest } : {}));
      if (v.problems.length) log(`${fault.name}:\n  ${v.problems.join('\n  ')}\nretried responses ${JSON.stringify(c.stats.retried)}`);
      // The fault struck under load, each time.
      expect(phase.inFlight).toHaveLength(opts.strikes);
      expect(phase.inFlight.every((n) => n > 0)).toBe(true);
      expect(phase.journeys.every((j) => j.accepted && j.final)).toBe(true);
      expect(v.problems).toEqual([]);
      // No decision refused: each was sent for a step the read model showed awaiting (a 409 there is a false refusal).
      expect(phase.journeys.flatMap((j) => j.decisions.filter((d) => d.status >= 300).map((d) => `${j.orderId}/${d.step}: ${d.status} ${d.detail}`))).toEqual([]);
      expect(phase.journeys.reduce((n, j) => n + (v.perOrder.get(j.orderId)?.refusals ?? 0), 0)).toBe(0);
      expect({ lost: v.lost, duplicated: v.duplicated }).toEqual({ lost: 0, duplicated: 0 });
      expect(v.integrity).toEqual({ app: 'ok', temporal: 'ok' });
      expect(atRest.filter((r) => r.app !== 'ok' || r.temporal !== 'ok')).toEqual([]);
      // At least once, but not much more: only a delivery answered and not yet logged when the worker died goes
      // twice, at most one per chain delivered in parallel.
      expect(redeliveries(phase, v)).toBeLessThanOrEqual(PARALLEL_CHAINS * opts.strikes);
      if (orphans.length) {
        // The restart took over from a server its killed owner left running (scripts/dev-server.ts), or found it gone.
        expect(orphans.every((pid) => pid !== undefined)).toBe(true);
        expect(orphans.filter((pid) => isAlive(pid!) || pid === t.temporalPid())).toEqual([]);
      }
      // Its own budget, whichever config runs it (npm test's integration project gives 60 s): the waits inside go up
      // to 150 s on a loaded machine, and a bare "test timed out" would hide the suite's diagnostics.
    }, 240_000);
  }
}
