/**
 * The worker: runs order review workflows and their activities against a Temporal cluster.
 * Run it alone (`npx tsx worker.ts`, production shape) or from scripts/start.ts (embedded default).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AppConfig, loadConfigOrExit } from './config';
import { createActivities } from './activities';
import { closeDatabase, openDatabase } from './db/client';
import { temporalConnectionOptions } from './temporal-connection';

export interface RunWorkerOptions {
  signal: AbortSignal;
  /** Called once the worker polls its task queue. */
  onReady?: () => void;
}

export { temporalAddressOf } from './temporal-connection';

/** Runs until `signal` aborts, then drains in-flight tasks and closes its connection and database. */
export async function runWorker(config: AppConfig, opts: RunWorkerOptions): Promise<void> {
  const db = openDatabase(config.dbFile);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
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
    if (opts.signal.aborted) return;
    opts.signal.addEventListener('abort', stop, { once: true });
    const running = worker.run();
    opts.onReady?.();
    await running;
  } finally {
    await connection.close();
    closeDatabase(db);
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
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
