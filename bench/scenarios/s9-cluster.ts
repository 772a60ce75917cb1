/**
 * S9: S1's closed loop of clean orders against a real Temporal cluster (PostgreSQL, 4 history shards, four service
 * processes: scripts/cluster) with two worker processes, against the dev server (one process, SQLite, one shard)
 * with one worker, alternating in the same run. A last round on the cluster with one worker separates what the
 * second worker adds from what the cluster costs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveServerBinaries } from '../../scripts/cluster/binaries';
import { SERVICES, startTestCluster } from '../../scripts/cluster/cluster';
import { dropAbandonedRuns, ensurePostgres, stopPostgres } from '../../scripts/cluster/postgres';
import { PidRegistry } from '../../scripts/cluster/processes';
import { closedLoop, type LoadResult } from '../lib/load';
import { measureCpu } from '../lib/processes';
import { type Stack, startStack } from '../lib/stack';
import { median, round } from '../lib/stats';
import { submitAndAwaitApproval } from './s1-throughput';

/** PostgreSQL's processes (postmaster and backends): the cluster's storage works there, so its CPU counts. */
function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

interface Round {
  target: 'devServer' | 'cluster2' | 'cluster1';
  ordersPerSec: number;
  medianMs: number;
  failed: number;
  cpuMsPerOrder: Record<string, number>;
}

export async function runS9(
  devStack: Stack,
  devServerPid: number | undefined,
  opts: { cli: string; dir: string; seconds: number; rounds: number; concurrency: number },
) {
  const log = (msg: string) => console.log(`  [S9] ${msg}`);
  const binaries = await resolveServerBinaries(log);
  const pg = ensurePostgres(log);
  dropAbandonedRuns(pg, log);
  const dir = path.join(opts.dir, 's9');
  fs.mkdirSync(dir, { recursive: true });
  const registry = new PidRegistry(path.join(dir, 'pids'));
  const cluster = await startTestCluster({ binaries, cli: opts.cli, pg, dir, mtls: false, registry, log });
  let clusterStack: Stack | undefined;
  try {
    clusterStack = await startStack({ temporalAddress: cluster.frontendAddress, dir, name: 's9-cluster', workers: 2 });
    const cs = clusterStack;
    const rounds: Round[] = [];
    const round1 = async (target: Round['target'], stack: Stack): Promise<void> => {
      const temporal: Record<string, number | undefined> =
        target === 'devServer'
          ? { temporal: devServerPid }
          : Object.fromEntries([
              ...SERVICES.map((s) => [`temporal-${s}`, cluster.services[s].child.pid]),
              ...postgresPids().map((pid) => [`postgres-${pid}`, pid]),
            ]);
      const workers = Object.fromEntries(stack.workers.filter((w) => w.proc.exitCode === null).map((w, i) => [`worker-${i}`, w.proc.pid]));
      await closedLoop(opts.concurrency, 3_000, () => submitAndAwaitApproval(stack));
      const { result, cpu } = await measureCpu({ ...temporal, ...workers, api: stack.server.proc.pid }, () =>
        closedLoop(opts.concurrency, opts.seconds * 1000, () => submitAndAwaitApproval(stack)),
      );
      rounds.push({ target, ordersPerSec: round(result.completed / result.seconds), medianMs: round(median(result.latenciesMs)), failed: result.failed, cpuMsPerOrder: grouped(cpu, result) });
      log(`${target}: ${round(result.completed / result.seconds)} orders/s, median ${round(median(result.latenciesMs))} ms`);
    };
    for (let i = 0; i < opts.rounds; i++) {
      await round1('devServer', devStack);
      await round1('cluster2', cs);
    }
    await cs.workers[1]!.stop();
    await round1('cluster1', cs);

    const of = (t: Round['target']) => rounds.filter((r) => r.target === t);
    const med = (t: Round['target'], k: 'ordersPerSec' | 'medianMs') => round(median(of(t).map((r) => r[k])));
    const dev = med('devServer', 'ordersPerSec');
    const c2 = med('cluster2', 'ordersPerSec');
    return {
      concurrency: opts.concurrency,
      secondsPerRound: opts.seconds,
      cluster: { services: SERVICES.length, historyShards: 4, storage: 'PostgreSQL 15', workers: 2 },
      devServerOrdersPerSec: dev,
      cluster2WorkersOrdersPerSec: c2,
      cluster1WorkerOrdersPerSec: med('cluster1', 'ordersPerSec'),
      ratioClusterToDevServer: round(c2 / dev),
      devServerMedianMs: med('devServer', 'medianMs'),
      cluster2WorkersMedianMs: med('cluster2', 'medianMs'),
      cluster1WorkerMedianMs: med('cluster1', 'medianMs'),
      failed: rounds.reduce((n, r) => n + r.failed, 0),
      rounds,
    };
  } finally {
    await clusterStack?.stop();
    await cluster.stop();
    registry.killRegistered();
    stopPostgres(pg, log);
  }
}

/** CPU ms per completed order, summed into temporal (server side: services and PostgreSQL), workers, api, driver. */
function grouped(cpu: Record<string, number>, result: LoadResult): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [k, v] of Object.entries(cpu)) {
    const group = k.startsWith('temporal') ? 'temporal' : k.startsWith('postgres') ? 'postgres' : k.startsWith('worker') ? 'workers' : k;
    sums[group] = (sums[group] ?? 0) + v;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, round((v * 1000) / Math.max(1, result.completed))]));
}
