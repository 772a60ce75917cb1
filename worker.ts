/**
 * The worker: runs order review workflows and their activities against a Temporal cluster.
 * Run it alone (`npx tsx worker.ts`, production shape) or from scripts/start.ts (embedded default).
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { type AppConfig, loadConfigOrExit, loadReviewPolicyOrExit, publicUrlOf } from './config';
import { createActivities } from './activities';
import { createMailer } from './activities/mailer';
import { createRelayWaker } from './activities/relay-waker';
import { closeDatabase, openDatabase } from './db/client';
import { createSecretBox, loadSecretKey } from './db/secrets';
import type { RelayOptions } from './workflows/relay-messages';
import { temporalConnectionOptions } from './temporal-connection';

export interface RunWorkerOptions {
  signal: AbortSignal;
  /** Called once the worker polls its task queue. */
  onReady?: () => void;
  /** Relay timings (tests shorten them); default: production's. */
  relayOptions?: RelayOptions;
}

export { temporalAddressOf } from './temporal-connection';

/** Runs until `signal` aborts, then drains in-flight tasks and closes its connection and database. */
export async function runWorker(config: AppConfig, opts: RunWorkerOptions): Promise<void> {
  const db = openDatabase(config.dbFile);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const log = (msg: string, fields: Record<string, unknown>) => console.log(JSON.stringify({ level: 'info', msg, ...fields }));
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, publicUrl: publicUrlOf(config) }, log);
  const waker = createRelayWaker({
    db,
    temporal: new Client({ connection, namespace: config.namespace }),
    taskQueue: config.taskQueue,
    options: opts.relayOptions,
    log: { warn: (obj, msg) => console.warn(msg, obj) },
  });
  try {
    const activities = createActivities(db, {
      relay: {
        secrets: createSecretBox(loadSecretKey(config.dataDir, config.secretsKey)),
        mailer,
        allowPrivate: config.webhookAllowPrivate,
        publicUrl: publicUrlOf(config),
      },
      onEventsLogged: () => waker.poke(),
    });
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowsPath: require.resolve('./workflows'),
      activities,
      // Workflows stay cached between tasks; a decision on a cached order replays nothing.
      maxCachedWorkflows: 10_000,
    });
    const stop = () => worker.shutdown();
    // Run even when a stop came while the worker was being created (bundling takes seconds): a created worker
    // holds the connection until it has run and shut down, and closing the connection under it throws.
    const running = worker.run();
    // Relays whose wake-up a crash swallowed catch up now instead of at their next poll.
    waker.poke();
    if (opts.signal.aborted) stop();
    else {
      opts.signal.addEventListener('abort', stop, { once: true });
      opts.onReady?.();
    }
    await running;
  } finally {
    await waker.close();
    mailer.close();
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
