/**
 * The worker: runs order review workflows and their activities against a Temporal cluster.
 * Run it alone (`npx tsx worker.ts`, production shape) or from scripts/start.ts (embedded default).
 */
import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type AppConfig, loadConfigOrExit, loadReviewPolicyOrExit, publicUrlOf } from './config';
import { createActivities } from './activities';
import { createMailer } from './activities/mailer';
import { createRelayWaker } from './activities/relay-waker';
import { closeDatabase, openDatabase } from './db/client';
import { orderIntake } from './db/schema';
import { createSecretBox, loadSecretKey } from './db/secrets';
import type { RelayOptions } from './workflows/relay-messages';
import { temporalConnectionOptions } from './temporal-connection';
import { createLifecycleLogger, createLogger, temporalLogger } from './telemetry/log';
import { installRuntime } from './telemetry/runtime';
import { createWorkerMetrics, type MetricsServer, serveMetrics, type WorkerMetrics } from './telemetry/worker-metrics';

export interface RunWorkerOptions {
  signal: AbortSignal;
  /** Called once the worker polls its task queue. */
  onReady?: () => void;
  /** Relay timings (tests shorten them); default: production's. */
  relayOptions?: RelayOptions;
  /** JSON lines (default: a pino logger named `worker` at LOG_LEVEL). */
  log?: Logger;
  /** Lifecycle lines (metrics endpoint); default: a logger at info or finer (telemetry/log.ts lifecycleLevel). */
  lifecycleLog?: Logger;
  /** The worker's figures (default: its own, without the SDK's); served on WORKER_METRICS_PORT when set. */
  metrics?: WorkerMetrics;
}

export { temporalAddressOf } from './temporal-connection';

/** Runs until `signal` aborts, then drains in-flight tasks and closes its connection and database. */
export async function runWorker(config: AppConfig, opts: RunWorkerOptions): Promise<void> {
  const log = opts.log ?? createLogger('worker', config.logLevel);
  const metrics = opts.metrics ?? createWorkerMetrics();
  const db = openDatabase(config.dbFile);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  // Inside an activity (the mail relay's), through its context's log: the line carries the activity's attributes.
  const mailLog = (msg: string, fields: Record<string, unknown>): void => {
    const ctx = activityContext.getStore();
    if (ctx) ctx.log.info(msg, fields);
    else log.info(fields, msg);
  };
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, publicUrl: publicUrlOf(config) }, mailLog);
  const waker = createRelayWaker({
    db,
    temporal: new Client({ connection, namespace: config.namespace }),
    taskQueue: config.taskQueue,
    options: opts.relayOptions,
    log,
  });
  let metricsServer: MetricsServer | undefined;
  try {
    if (config.workerMetricsPort !== undefined) {
      metricsServer = await serveMetrics({ host: config.workerMetricsHost, port: config.workerMetricsPort, token: config.metricsToken, text: () => metrics.text(), log });
      // A lifecycle line: with WORKER_METRICS_PORT=0 it is the only way to learn the port.
      (opts.lifecycleLog ?? createLifecycleLogger('worker', config.logLevel)).info({ url: metricsServer.url }, `worker metrics on ${metricsServer.url}`);
    }
    const activities = createActivities(db, {
      relay: {
        secrets: createSecretBox(loadSecretKey(config.dataDir, config.secretsKey)),
        mailer,
        allowPrivate: config.webhookAllowPrivate,
        publicUrl: publicUrlOf(config),
        observe: metrics.relay,
      },
      onEventsLogged: () => waker.poke(),
    });
    // Asked once per activity attempt (its log attributes): prepared once, not built by drizzle each time (3 % of the
    // worker's main-thread CPU under S1 when it was).
    const bySubmitter = db
      .select({ by: orderIntake.submittedBy })
      .from(orderIntake)
      .where(eq(orderIntake.orderId, sql.placeholder('orderId')))
      .prepare();
    const submitterOf = (orderId: string): string | undefined => bySubmitter.get({ orderId })?.by;
    // Bundled here rather than by Worker.create: its logger then says only what went wrong, not webpack's module
    // listing (tens of lines at info on every start).
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows'),
      logger: temporalLogger(log.child({}, { level: log.isLevelEnabled('debug') ? 'debug' : 'warn' })),
    });
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowBundle: { code },
      activities,
      interceptors: { activity: [metrics.activityInterceptor(submitterOf)] },
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
    await metricsServer?.close();
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
  const log = createLogger('worker', config.logLevel);
  const lifecycle = createLifecycleLogger('worker', config.logLevel);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  installRuntime({ log, level: config.logLevel })
    .then(({ sdkMetricsUrl }) =>
      runWorker(config, {
        signal: abort.signal,
        log,
        lifecycleLog: lifecycle,
        metrics: createWorkerMetrics({ sdkMetricsUrl }),
        onReady: () => lifecycle.info({ taskQueue: config.taskQueue }, `worker polling ${config.taskQueue}`),
      }),
    )
    .then(
      () => process.exit(0),
      (err: unknown) => {
        lifecycle.fatal({ err }, 'worker failed');
        process.exit(1);
      },
    );
}
