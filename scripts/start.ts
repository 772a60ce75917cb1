/**
 * `npm start`: the embedded default. A Temporal dev server persisted under DATA_DIR (unless TEMPORAL_ADDRESS is
 * set), the app database with demo data on first start, then the worker and the API in this one process.
 * Ctrl-C stops everything in dependency order: API, worker, database, Temporal server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type AppConfig, loadConfigOrExit, loadReviewPolicyOrExit } from '../config';
import { closeDatabase, openDatabase, type Db } from '../db/client';
import { ensureAdmin, generateToken } from '../db/principals';
import { DEMO_PRINCIPALS, needsDemoData, seedDemoData } from '../db/seed';
import { listenFailure, startServer, warnAboutAdmin } from '../server';
import { createLifecycleLogger, createLogger } from '../telemetry/log';
import { installRuntime } from '../telemetry/runtime';
import { createWorkerMetrics } from '../telemetry/worker-metrics';
import { runWorker } from '../worker';
import { startDevServer, type DevServer } from './dev-server';
import { resolveTemporalCli, temporalCliHelp } from './temporal-cli';

/** ADMIN_TOKEN wins; otherwise the token generated on the first start and kept in DATA_DIR/admin-token. */
function adminToken(config: AppConfig): { token: string; generatedAt?: string } {
  if (config.adminToken) return { token: config.adminToken };
  const file = path.join(config.dataDir, 'admin-token');
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token) return { token };
  }
  const token = generateToken();
  // 0600: the token is a full admin credential. 'w' replaces an empty file left by an interrupted write.
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { token, generatedAt: file };
}

/**
 * Seeds the demo data on a first start. The tokens file is written before the seed commits, so a crash in between
 * cannot leave principals whose tokens nobody knows; a second seed reuses the tokens already in the file.
 */
function seedOnFirstStart(db: Db, dataDir: string): { file: string; created: boolean } {
  const file = path.join(dataDir, 'demo-tokens.json');
  if (!needsDemoData(db)) return { file, created: false };
  let tokens: Record<string, string> | undefined;
  if (fs.existsSync(file)) {
    try {
      tokens = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      tokens = undefined;
    }
  }
  const complete = tokens && DEMO_PRINCIPALS.every((p) => typeof tokens?.[p.id] === 'string');
  if (!complete) {
    tokens = Object.fromEntries(DEMO_PRINCIPALS.map((p) => [p.id, generateToken()]));
    fs.writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  seedDemoData(db, { reuseTokens: tokens });
  return { file, created: true };
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  // The embedded default runs on one machine with test receivers next to it: webhooks may call loopback and private
  // addresses unless WEBHOOK_ALLOW_PRIVATE says otherwise.
  const config = loadConfigOrExit({ WEBHOOK_ALLOW_PRIVATE: 'true', ...process.env });
  // Before anything starts or is written: a bad policy file is exit code 2 and its message, nothing else.
  loadReviewPolicyOrExit(config);
  // JSON lines from every part of this one process, each with its name: start (this script), dev-server, worker, api.
  const log: Logger = createLifecycleLogger('start', config.logLevel);
  const info = (msg: string): void => log.info(msg);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const workerLog = createLogger('worker', config.logLevel);
  // This process owns the shutdown order, so the Temporal runtime must not stop the worker on its own at Ctrl-C
  // (its default), while the API is still answering.
  const { sdkMetricsUrl } = await installRuntime({ log: workerLog, level: config.logLevel, shutdownSignals: [] });
  const workerMetrics = createWorkerMetrics({ sdkMetricsUrl });

  // Everything started so far, stopped in reverse dependency order by shutdown().
  let devServer: DevServer | undefined;
  let db: Db | undefined;
  let api: { url: string; close(): Promise<void> } | undefined;
  let worker: Promise<void> | undefined;
  const abort = new AbortController();
  let shuttingDown: Promise<void> | undefined;
  let firstSignalAt = 0;

  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      const step = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          log.error({ err }, `${what} failed`);
        }
      };
      if (api) await step('closing the API', () => api?.close());
      abort.abort();
      if (worker) await step('stopping the worker', () => worker);
      if (db) await step('closing the database', () => db && closeDatabase(db));
      if (devServer) await step('stopping the Temporal server', () => devServer?.stop());
    })());

  const onSignal = (signal: NodeJS.Signals): void => {
    // npm and tsx may relay the terminal's one Ctrl-C a second time within milliseconds: not a second press.
    if (firstSignalAt && Date.now() - firstSignalAt > 1_000) {
      log.warn({ signal }, `${signal} again: forcing exit`);
      process.exit(130);
    }
    if (firstSignalAt) return;
    firstSignalAt = Date.now();
    log.info({ signal }, `${signal}: shutting down (press Ctrl-C again to force)`);
    void shutdown().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  try {
    let temporalAddress = config.temporalAddress;
    if (!temporalAddress) {
      const cli = await resolveTemporalCli({ build: true, log: info });
      if (!cli) log.warn(temporalCliHelp());
      const devLog = createLifecycleLogger('dev-server', config.logLevel);
      devServer = await startDevServer({
        cli,
        dataDir: config.dataDir,
        port: config.temporalDevPort,
        uiPort: config.temporalUiPort,
        namespace: config.namespace,
        log: (msg) => devLog.info(msg),
        // While we shut down, the server logs errors about the calls our own stopping cut short (the worker's
        // cancelled long polls: "unable to add metrics baggage to gRPC trailer"): shown, but not as our error.
        serverLog: (line) =>
          shuttingDown
            ? devLog.warn({ line }, 'the Temporal server reported an error while npm start was stopping')
            : devLog.error({ line }, 'the Temporal server reported an error'),
      });
      temporalAddress = devServer.address;
    }
    // Ctrl-C while the dev server was starting: shutdown() ran before it existed, so stop it here.
    if (shuttingDown) {
      await devServer?.stop();
      return 0;
    }

    db = openDatabase(config.dbFile);
    const admin = adminToken(config);
    warnAboutAdmin(ensureAdmin(db, admin.token), log);
    const demo = seedOnFirstStart(db, config.dataDir);

    const runConfig: AppConfig = { ...config, temporalAddress, adminToken: admin.token };
    let workerReady!: () => void;
    const workerPolling = new Promise<void>((resolve) => {
      workerReady = resolve;
    });
    worker = runWorker(runConfig, { signal: abort.signal, log: workerLog, metrics: workerMetrics, onReady: () => workerReady() });
    // A worker that stops on its own (lost server, bug) takes the whole process down: a half-running app is
    // worse than a clear exit.
    worker.then(
      () => {
        if (!shuttingDown) {
          log.error('the worker stopped unexpectedly');
          void shutdown().then(() => process.exit(1));
        }
      },
      (err: unknown) => {
        if (!shuttingDown) {
          log.error({ err }, 'the worker failed');
          void shutdown().then(() => process.exit(1));
        }
      },
    );
    // One process, one port: without a WORKER_METRICS_PORT of its own, the worker's figures (and the SDK's) are
    // part of the API's /metrics.
    const server = await startServer(runConfig, runConfig.workerMetricsPort === undefined ? { extraMetrics: () => workerMetrics.text({ process: false }) } : {});
    api = server;
    // "ready" means orders submitted now are picked up: wait for the worker to poll (it bundles the workflow code
    // first, a few seconds), unless it failed, which the handler above reports.
    await Promise.race([workerPolling, worker.then(() => undefined, () => undefined)]);
    if (shuttingDown) return -1; // the worker failed or a signal came: shutdown() decides the exit code

    const base = server.url.replace(/\/$/, '');
    const ready = {
      api: server.url,
      console: `${base}/console`,
      docs: `${base}/docs`,
      metrics: `${base}/metrics`,
      ...(devServer ? { temporalUi: devServer.uiUrl } : { temporal: temporalAddress, namespace: config.namespace }),
      dataDir: config.dataDir,
      // Where the admin token is. A generated one is shown once, in the message only: a field of its own is what log
      // shippers index and search.
      ...(admin.generatedAt ? { adminTokenFile: admin.generatedAt } : { adminToken: config.adminToken ? 'from ADMIN_TOKEN' : path.join(config.dataDir, 'admin-token') }),
      ...(demo.created || fs.existsSync(demo.file) ? { demoTokens: demo.file } : {}),
    };
    log.info(
      ready,
      `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s: console ${ready.console} (approvers sign in with their token), ` +
        `API docs ${ready.docs}${devServer ? `, Temporal UI ${devServer.uiUrl}` : ''}; ` +
        `admin token ${admin.generatedAt ? `${admin.token} (generated, saved in ${admin.generatedAt})` : config.adminToken ? 'from ADMIN_TOKEN' : `in ${path.join(config.dataDir, 'admin-token')}`}; Ctrl-C stops everything`,
    );
    return -1; // keep running until a signal
  } catch (err) {
    const line = listenFailure(err, config);
    if (line) log.fatal(line);
    else log.fatal({ err }, `failed to start: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown();
    return 1;
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    createLogger('start', 'error').fatal({ err }, 'unexpected error');
    process.exit(1);
  },
);
