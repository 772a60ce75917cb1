/**
 * The API process: opens the database and one Temporal connection, builds the app and listens on HOST:PORT.
 * Run it alone (`npx tsx server.ts`, production shape, with a worker running elsewhere) or from scripts/start.ts.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './api/app';
import { type AppConfig, ConfigError, loadConfigOrExit, loadReviewPolicy, loadReviewPolicyOrExit } from './config';
import { closeDatabase, openDatabase } from './db/client';
import { type EnsureAdminResult, ensureAdmin } from './db/principals';
import { temporalConnectionOptions } from './temporal-connection';
import { createLifecycleLogger, createLogger, logOptions } from './telemetry/log';

export interface RunningServer {
  url: string;
  /** The API's logger (JSON lines named `api`). */
  log: FastifyBaseLogger;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** More exposition text for /metrics: the worker's, when it runs in this process (npm start). */
  extraMetrics?: () => Promise<string>;
}

/** One line for an API listen failure a user can fix (port taken, not allowed, not an address here), else undefined. */
export function listenFailure(err: unknown, config: Pick<AppConfig, 'host' | 'port'>): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the address is already in use (another process listens there; set PORT or HOST)`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; set PORT)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${where}: HOST is not an address of this machine`;
  return undefined;
}

/** Says what a start did to the built-in admin when it is worth knowing. */
export function warnAboutAdmin(result: EnsureAdminResult, log: Pick<FastifyBaseLogger, 'info' | 'warn'>): void {
  if (result === 'rotated') log.info('the built-in admin token was rotated: the previous one no longer works');
  if (result === 'revoked') log.warn('the built-in admin is revoked in the database and stays so: ADMIN_TOKEN grants nothing');
}

export async function startServer(config: AppConfig, opts: StartServerOptions = {}): Promise<RunningServer> {
  // A bad policy file stops the start before anything is opened.
  const policy = loadReviewPolicy(config);
  const db = openDatabase(config.dbFile);
  let connection: Connection | undefined;
  try {
    if (config.adminToken) warnAboutAdmin(ensureAdmin(db, config.adminToken), createLogger('api', config.logLevel));
    connection = await Connection.connect(temporalConnectionOptions(config));
    const temporal = new Client({ connection, namespace: config.namespace });
    const app = await buildApp({
      config,
      db,
      temporal,
      policy,
      logger: logOptions('api', config.logLevel),
      rateLimit: { max: config.rateLimitPerMinute, authFailuresMax: config.authFailuresPerMinute, timeWindowMs: 60_000 },
      relays: {},
      metrics: { token: config.metricsToken, extra: opts.extraMetrics },
    });
    const conn = connection;
    // The app closes first (in-flight requests finish), then the resources it used.
    app.addHook('onClose', async () => {
      await conn.close();
      closeDatabase(db);
    });
    let url: string;
    try {
      url = await app.listen({ host: config.host, port: config.port });
    } catch (err) {
      await app.close();
      throw err;
    }
    let closing: Promise<void> | undefined;
    return { url, log: app.log, close: () => (closing ??= app.close()) };
  } catch (err) {
    await connection?.close().catch(() => undefined);
    closeDatabase(db);
    throw err;
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  loadReviewPolicyOrExit(config);
  const log = createLifecycleLogger('api', config.logLevel);
  startServer(config).then(
    (server) => {
      log.info({ url: server.url }, `API listening on ${server.url} (docs: ${server.url}/docs)`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, `${signal}: closing the API`);
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'closing failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err: unknown) => {
      if (err instanceof ConfigError) {
        console.error(err.message);
        process.exit(2);
      }
      const line = listenFailure(err, config);
      if (line) log.fatal(line);
      else log.fatal({ err }, 'the API failed to start');
      process.exit(1);
    },
  );
}
