/**
 * The API process: opens the database and one Temporal connection, builds the app and listens on HOST:PORT.
 * Run it alone (`npx tsx server.ts`, production shape, with a worker running elsewhere) or from scripts/start.ts.
 */
import { Client, Connection } from '@temporalio/client';
import { buildApp } from './api/app';
import { type AppConfig, ConfigError, loadConfigOrExit, loadReviewPolicy, loadReviewPolicyOrExit } from './config';
import { closeDatabase, openDatabase } from './db/client';
import { type EnsureAdminResult, ensureAdmin } from './db/principals';
import { temporalConnectionOptions } from './temporal-connection';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
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
export function warnAboutAdmin(result: EnsureAdminResult): void {
  if (result === 'rotated') console.log('the built-in admin token was rotated: the previous one no longer works');
  if (result === 'revoked') console.warn('the built-in admin is revoked in the database and stays so: ADMIN_TOKEN grants nothing');
}

export async function startServer(config: AppConfig): Promise<RunningServer> {
  // A bad policy file stops the start before anything is opened.
  const policy = loadReviewPolicy(config);
  const db = openDatabase(config.dbFile);
  let connection: Connection | undefined;
  try {
    if (config.adminToken) warnAboutAdmin(ensureAdmin(db, config.adminToken));
    connection = await Connection.connect(temporalConnectionOptions(config));
    const temporal = new Client({ connection, namespace: config.namespace });
    const app = await buildApp({
      config,
      db,
      temporal,
      policy,
      logger: { level: config.logLevel },
      rateLimit: { max: config.rateLimitPerMinute, authFailuresMax: config.authFailuresPerMinute, timeWindowMs: 60_000 },
      relays: {},
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
    return { url, close: () => (closing ??= app.close()) };
  } catch (err) {
    await connection?.close().catch(() => undefined);
    closeDatabase(db);
    throw err;
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  loadReviewPolicyOrExit(config);
  startServer(config).then(
    (server) => {
      console.log(`API listening on ${server.url} (docs: ${server.url}/docs)`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: closing the API`);
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error('closing failed:', err);
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
      if (line) console.error(line);
      else console.error('the API failed to start:', err);
      process.exit(1);
    },
  );
}
