/**
 * Once per `npm run test:cluster`: the Temporal CLI and server binaries (built into the per-user cache when
 * missing), PostgreSQL running, and leftovers of earlier crashed runs dropped. The teardown ends every process a
 * suite registered and did not stop (a failed hook, a killed fork), drops databases whose run is gone, and stops
 * PostgreSQL if this run started it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveServerBinaries } from '../../scripts/cluster/binaries';
import { dropAbandonedRuns, ensurePostgres, stopPostgres } from '../../scripts/cluster/postgres';
import { PidRegistry } from '../../scripts/cluster/processes';
import { resolveTemporalCli, temporalCliHelp } from '../../scripts/temporal-cli';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string): void => console.log(`[cluster-setup] ${msg}`);
  const started = Date.now();
  const cli = await resolveTemporalCli({ build: true, log });
  if (!cli) throw new Error(temporalCliHelp());
  const binaries = await resolveServerBinaries(log);
  const pg = ensurePostgres(log);
  dropAbandonedRuns(pg, log);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-cluster-suite-'));
  const pidFile = path.join(runDir, 'pids');
  log(`ready in ${Math.round((Date.now() - started) / 1000)} s; run directory ${runDir}`);

  project.provide('temporalCli', cli);
  project.provide('serverBinaries', binaries);
  project.provide('postgres', pg);
  project.provide('clusterRunDir', runDir);
  project.provide('clusterPidFile', pidFile);

  return async () => {
    const leftover = new PidRegistry(pidFile).killRegistered();
    if (leftover.length) log(`ended processes a suite left running: ${leftover.join(', ')}`);
    // The suites' forks have exited: every run role of theirs counts as abandoned now.
    dropAbandonedRuns(pg, log);
    stopPostgres(pg, log);
    const kept = fs.readdirSync(runDir).filter((d) => d !== 'pids');
    if (kept.length) log(`logs of failed suites kept in ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true });
  };
}
