/**
 * The worker: runs order review workflows and their activities against a Temporal cluster.
 * Run it alone (`npx tsx worker.ts`, production shape) or from scripts/start.ts (embedded default).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AppConfig, loadConfigOrExit, loadReviewPolicyOrExit } from './config';
import { createActivities } from './activities';
import { closeDatabase, openDatabase } from './db/client';

export interface RunWorkerOptions {
  signal: AbortSignal;
  /** Called once the worker polls its task queue. */
  onReady?: () => void;
}

export function temporalAddressOf(config: AppConfig): string {
  return config.temporalAddress ?? `127.0.0.1:${config.temporalDevPort}`;
}

/** Runs until `signal` aborts, then drains in-flight tasks and closes its connection and database. */
export async function runWorker(config: AppConfig, opts: RunWorkerOptions): Promise<void> {
  const db = openDatabase(config.dbFile);
  const connection = await NativeConnection.connect({ address: temporalAddressOf(config) });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowsPath: require.resolve('./workflows'),
      activities: createActivities(db),
      // Workflows stay cached between tasks; a decision on a cached order replays nothing.
      maxCachedWorkflows: 10_000,
    });
    const stop = () => worker.shutdown();
    // Run even when a stop came while the worker was being created (bundling takes seconds): a created worker
    // holds the connection until it has run and shut down, and closing the connection under it throws.
    const running = worker.run();
    if (opts.signal.aborted) stop();
    else {
      opts.signal.addEventListener('abort', stop, { once: true });
      opts.onReady?.();
    }
    await running;
  } finally {
    await connection.close();
    closeDatabase(db);
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  // The worker does not use the policy (the API captures it per order), but a bad file must stop every process
  // of a deployment at once, not only the API.
  loadReviewPolicyOrExit(config);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  runWorker(config, { signal: abort.signal, onReady: () => console.log(`worker polling ${config.taskQueue}`) }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('worker failed:', err);
      process.exit(1);
    },
  );
}
