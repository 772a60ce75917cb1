/**
 * `npx tsx scripts/cluster/start.ts [--mtls]`: the test cluster by hand, for trying the production shape. Prints
 * the environment for worker.ts / server.ts; Ctrl-C stops the services and drops the run's databases (and stops
 * PostgreSQL if this started it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../temporal-cli';
import { resolveServerBinaries } from './binaries';
import { startTestCluster } from './cluster';
import { dropAbandonedRuns, ensurePostgres, stopPostgres } from './postgres';
import { PidRegistry } from './processes';

const log = (msg: string): void => console.log(`[cluster] ${msg}`);

async function main(): Promise<void> {
  const mtls = process.argv.includes('--mtls');
  const cli = await resolveTemporalCli({ build: true, log });
  if (!cli) throw new Error('no Temporal CLI (see README: The Temporal binary)');
  const binaries = await resolveServerBinaries(log);
  const pg = ensurePostgres(log);
  dropAbandonedRuns(pg, log);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-cluster-'));
  const registry = new PidRegistry(path.join(dir, 'pids'));
  const cluster = await startTestCluster({ binaries, cli, pg, dir, mtls, registry, log }).catch((err: unknown) => {
    stopPostgres(pg, log);
    throw err;
  });
  log(`config and logs in ${dir}; the product's environment:`);
  for (const [k, v] of Object.entries(cluster.clientEnv)) console.log(`export ${k}=${v}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    void cluster
      .stop()
      .then(() => stopPostgres(pg, log))
      .finally(() => {
        registry.killRegistered();
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error('[cluster] failed:', err);
  process.exit(1);
});
