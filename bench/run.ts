/**
 * `npm run bench [-- --quick] [-- --only S1,S3]`: every scenario against its baseline in the same run, on this
 * machine. Prints a table and writes bench/results/<date>[-quick][-<scenarios of --only>].json (never over an earlier file). Not part of `npm test`. S10 runs for S10_SECONDS
 * (default 300, quick 30); a quick run leaves S5, S9 and S10 out unless --only names them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTemporalCli } from '../scripts/temporal-cli';
import { BUILT_IN_POLICY } from '../domain/policy';
import { spawnTs, startTemporal, type TemporalServer } from './lib/processes';
import { startStack, type Stack } from './lib/stack';
import { round } from './lib/stats';
import { closedLoop } from './lib/load';
import { runS1, submitAndAwaitApproval } from './scenarios/s1-throughput';
import { runS2 } from './scenarios/s2-decisions';
import { runS3 } from './scenarios/s3-api-cost';
import { bareParkedMemory, runS5 } from './scenarios/s5-many-open';
import { runS6 } from './scenarios/s6-webhook-lag';
import { runS7S8 } from './scenarios/s7-s8-reads';
import { runS9 } from './scenarios/s9-cluster';
import { runS10 } from './scenarios/s10-steady-state';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? (args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined);
const wants = (s: string) => !only || only.includes(s);
/**
 * S5 (thousands of parked orders), S9 (a cluster on PostgreSQL) and S10 (minutes of steady state) take minutes each
 * by nature: a quick run (kept under 5 minutes) measures them only when --only names them.
 */
const LONG = new Set(['S5', 'S9', 'S10']);
const runs = (s: string) => (only ? only.includes(s) : !(quick && LONG.has(s)));
const seconds = quick ? 8 : 20;
const BARE_QUEUE = 'bench-bare';

async function main(): Promise<void> {
  const cli = await resolveTemporalCli({ build: true, log: (m) => console.log(m) });
  if (!cli) throw new Error('no Temporal CLI (see README: troubleshooting)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-bench-'));
  console.log(`bench: work dir ${dir}${quick ? ' (quick)' : ''}`);
  const results: Record<string, unknown> = {};
  const cleanup: (() => Promise<void>)[] = [];
  try {
    const file = await startTemporal(cli, dir, 'file');
    cleanup.push(() => file.stop());
    const stack = await startStack({ temporalAddress: file.address, dir, name: 'main' });
    cleanup.push(() => stack.stop());
    const bare = await spawnTs('bare-worker', path.resolve(__dirname, 'bare-worker.ts'), {
      env: { TEMPORAL_ADDRESS: file.address, TASK_QUEUE: BARE_QUEUE },
      ready: /worker polling/,
      logFile: path.join(dir, 'bare-worker.log'),
    });
    cleanup.push(() => bare.stop());

    if (wants('S1')) results.S1 = await step('S1 auto-approval throughput', () => runS1(stack, BARE_QUEUE, { concurrency: 32, seconds, pids: { temporal: file.proc.pid, bareWorker: bare.proc.pid } }));
    if (wants('S2')) results.S2 = await step('S2 decision latency', () => runS2(stack, { seconds: quick ? 5 : 10 }));
    if (wants('S3')) results.S3 = await step('S3 API cost', () => runS3(stack, dir, { seconds: quick ? 3 : 6, rounds: 3 }));
    if (wants('S4')) results.S4 = await step('S4 storage modes', () => runS4(cli, dir, file, stack));
    if (wants('S6')) results.S6 = await step('S6 webhook delivery lag', () => runS6(stack, { concurrency: 32, seconds }));
    if (runs('S9')) {
      results.S9 = await step('S9 cluster (2 workers) vs dev server (1 worker)', () =>
        runS9(stack, file.proc.pid, { cli, dir, seconds: quick ? 8 : 15, rounds: quick ? 1 : 3, concurrency: 32 }),
      );
    }
    // Minutes, not seconds: the point is that the credit check still passes clean orders after hundreds of them.
    if (runs('S10')) {
      const s10Seconds = Number(process.env.S10_SECONDS) || (quick ? 30 : 300);
      results.S10 = await step('S10 steady state', () => runS10(stack, { seconds: s10Seconds, baselineSeconds: quick ? 10 : 30, concurrency: 3 }));
    }
    // S7 and S8 on a stack of their own: 100,000 orders copied into its database would change the other scenarios.
    if (wants('S7') || wants('S8')) {
      const reads = await step('S7 KPIs and search over 100,000 orders; S8 the events feed end to end', async () => {
        const s7 = await startStack({ temporalAddress: file.address, dir, name: 's7', taskQueue: 'bench-s7' });
        try {
          return await runS7S8(s7, path.join(dir, 's7'), {
            total: 100_000,
            feedOrders: quick ? 5_000 : 20_000,
            kpiRequests: quick ? 30 : 100,
            searchRequests: quick ? 200 : 500,
            s7: wants('S7'),
          });
        } finally {
          await s7.stop();
        }
      });
      if ('error' in reads) results.S7 = results.S8 = reads;
      else {
        if (wants('S7') && 'S7' in reads) results.S7 = reads.S7;
        if (wants('S8')) results.S8 = reads.S8;
      }
    }
    if (runs('S5')) {
      await bare.stop();
      await stack.stop();
      cleanup.length = 1; // only the file server remains to stop
      results.S5 = await step('S5 many open orders', async () => {
        const reminderMs = quick ? 20_000 : 60_000;
        const credit = { ...BUILT_IN_POLICY.steps.credit, reminderAfter: `${reminderMs / 1000}s` };
        const policy = { ...BUILT_IN_POLICY, steps: { ...BUILT_IN_POLICY.steps, credit } };
        const s5 = await startStack({ temporalAddress: file.address, dir, name: 's5', policy });
        const parkedQueue = 'bench-parked';
        const parkedWorker = await spawnTs('parked-worker', path.resolve(__dirname, 'bare-worker.ts'), {
          env: { TEMPORAL_ADDRESS: file.address, TASK_QUEUE: parkedQueue },
          ready: /worker polling/,
          logFile: path.join(dir, 'parked-worker.log'),
        });
        try {
          const many = quick ? 500 : 5_000;
          const product = await runS5(s5, { many, reminderMs });
          const bareKiB = await bareParkedMemory(s5, parkedWorker, parkedQueue, many);
          return { ...product, bareWorkerKiBPerCachedWorkflow: bareKiB };
        } finally {
          await parkedWorker.stop();
          await s5.stop();
        }
      });
    }
  } finally {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
  }

  const out = {
    date: new Date().toISOString(),
    quick,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30, 1), node: process.version },
    versions: versions(),
    devServerPragmas: ['journal_mode=wal', 'synchronous=normal'],
    results,
  };
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const outFile = resultsFile(resultsDir, out.date.slice(0, 10), quick, only);
  // 'wx': never over an earlier run's file (resultsFile picks a free name).
  fs.writeFileSync(outFile, `${JSON.stringify(out, null, 2)}\n`, { flag: 'wx' });
  console.log(`\nwrote ${outFile}`);
  printTable(results);
}

/**
 * bench/results/<date>[-quick][-S3-S6].json: the scenarios of an `--only` run are in the name, so a run of one
 * scenario never replaces the file of another run the same day; a name already taken gets -2, -3, …
 */
function resultsFile(dir: string, date: string, quick: boolean, only: string[] | undefined): string {
  const stem = `${date}${quick ? '-quick' : ''}${only ? `-${only.map((s) => s.replace(/[^A-Za-z0-9]/g, '')).join('-')}` : ''}`;
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}.json`);
    if (!fs.existsSync(file)) return file;
  }
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | { error: string }> {
  console.log(`\n== ${name}`);
  const t = Date.now();
  try {
    const r = await fn();
    console.log(JSON.stringify(r, null, 2));
    console.log(`(${round((Date.now() - t) / 1000, 1)} s)`);
    return r;
  } catch (err) {
    console.error(`${name} failed:`, err);
    return { error: String(err) };
  }
}

/** S4: the same closed loop of clean orders on a file-backed server (shipped pragmas) and an in-memory one. */
async function runS4(cli: string, dir: string, file: TemporalServer, fileStack: Stack) {
  const secs = quick ? 6 : 15;
  const loop = (s: Stack) => closedLoop(32, secs * 1000, () => submitAndAwaitApproval(s));
  const onFile = await loop(fileStack);
  const mem = await startTemporal(cli, dir, 'memory');
  try {
    const memStack = await startStack({ temporalAddress: mem.address, dir, name: 'memory' });
    try {
      await closedLoop(32, 2000, () => submitAndAwaitApproval(memStack));
      const inMemory = await loop(memStack);
      const fileRate = onFile.completed / onFile.seconds;
      const memRate = inMemory.completed / inMemory.seconds;
      return { fileOrdersPerSec: round(fileRate), memoryOrdersPerSec: round(memRate), ratio: round(fileRate / memRate), pragmas: file.pragmas };
    } finally {
      await memStack.stop();
    }
  } finally {
    await mem.stop();
  }
}

function versions(): Record<string, string> {
  const pkg = (name: string) => {
    try {
      return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return { temporalCli: '1.5.1 (server 1.29.1)', sdk: pkg('@temporalio/worker'), fastify: pkg('fastify'), betterSqlite3: pkg('better-sqlite3') };
}

function printTable(results: Record<string, any>): void {
  const rows: [string, string, string][] = [];
  const r = results;
  if (r.S1 && !r.S1.error) rows.push(['S1 orders/s (product / bare)', `${r.S1.productOrdersPerSec} / ${r.S1.bareWorkflowsPerSec}`, `ratio ${r.S1.ratio}`]);
  if (r.S2 && !r.S2.error) rows.push(['S2 decision p99 @50% (HTTP / raw) ms', `${r.S2.phases['50%'].p99} / ${r.S2.rawClientAt50?.p99}`, `ratio ${r.S2.p99RatioAt50}`]);
  if (r.S3 && !r.S3.error) rows.push(['S3 req/s order / inbox / hello', `${r.S3.getOrderRps} / ${r.S3.inboxRps} / ${r.S3.helloRps}`, `ratios ${r.S3.getOrderRatio} / ${r.S3.inboxRatio}`]);
  if (r.S4 && !r.S4.error) rows.push(['S4 orders/s file / memory', `${r.S4.fileOrdersPerSec} / ${r.S4.memoryOrdersPerSec}`, `ratio ${r.S4.ratio}`]);
  if (r.S6 && !r.S6.error) rows.push(['S6 orders/s webhooks on / off; lag p50/p99 ms', `${r.S6.onOrdersPerSec} / ${r.S6.offOrdersPerSec}; ${r.S6.lagMs.p50}/${r.S6.lagMs.p99}`, `ratio ${r.S6.ratio}`]);
  if (r.S9 && !r.S9.error) rows.push(['S9 orders/s cluster 2 workers / dev server 1 worker', `${r.S9.cluster2WorkersOrdersPerSec} / ${r.S9.devServerOrdersPerSec}`, `ratio ${r.S9.ratioClusterToDevServer}`]);
  if (r.S10 && !r.S10.error) {
    rows.push([
      'S10 auto-approved share, whole run / last minute (with feedback)',
      `${r.S10.withFeedback.autoApprovedShare} / ${r.S10.lastMinuteAutoApprovedShare} of ${r.S10.withFeedback.submitted}`,
      `without feedback ${r.S10.withoutFeedback.autoApprovedShare} of ${r.S10.withoutFeedback.submitted}`,
    ]);
  }
  if (r.S7 && !r.S7.error) {
    rows.push(['S7 GET /v1/kpis (30 days) p50/p99 ms (HTTP / plain SELECT)', `${r.S7.kpis30Days.http.p50}/${r.S7.kpis30Days.http.p99} / ${r.S7.kpis30Days.plainSelect.p50}/${r.S7.kpis30Days.plainSelect.p99}`, `target p99 ≤ 200; the events SELECT before the facts rows ${r.S7.kpis30Days.eventsSelect.p50}/${r.S7.kpis30Days.eventsSelect.p99}; first request (backfill of ${r.S7.kpis30Days.backfill.rowsWritten} rows) ${r.S7.kpis30Days.backfill.ms} ms`]);
    rows.push(['S7 order search p50/p99 ms (HTTP / plain SELECT)', `${r.S7.search.http.p50}/${r.S7.search.http.p99} / ${r.S7.search.plainSelect.p50}/${r.S7.search.plainSelect.p99}`, 'target p99 ≤ 50']);
  }
  if (r.S8 && !r.S8.error) rows.push(['S8 events feed events/s (HTTP / plain SELECT)', `${r.S8.httpEventsPerSec} / ${r.S8.plainSelectEventsPerSec} (${r.S8.read} events; API ${r.S8.apiCpuUsPerEvent}, load generator ${r.S8.clientCpuUsPerEvent} µs CPU per event)`, `ratio ${r.S8.ratio}`]);
  if (r.S5 && !r.S5.error) rows.push(['S5 decision p99 many / 100 ms', `${r.S5.decision.large.p99} / ${r.S5.decision.small.p99}`, `ratio ${r.S5.decision.p99Ratio}`]);
  console.log('\n| scenario | measured | vs baseline |\n|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
