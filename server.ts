/**
 * The API process: opens the database and one Temporal connection, builds the app and listens on HOST:PORT.
 * Run it alone (`npx tsx server.ts`, production shape, with a worker running elsewhere) or from scripts/start.ts.
 */
import { Client, Connection } from '@temporalio/client';
import { buildApp } from './api/app';
import { type AppConfig, ConfigError, loadConfigOrExit, loadReviewPolicy } from './config';
import { closeDatabase, openDatabase } from './db/client';
import { ensureAdmin } from './db/principals';
import { temporalConnectionOptions } from './temporal-connection';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: AppConfig): Promise<RunningServer> {
  // A bad policy file stops the start before anything is opened.
  const policy = loadReviewPolicy(config);
  const db = openDatabase(config.dbFile);
  let connection: Connection | undefined;
  try {
    if (config.adminToken) ensureAdmin(db, config.adminToken);
    connection = await Connection.connect(temporalConnectionOptions(config));
    const temporal = new Client({ connection, namespace: config.namespace });
    const app = await buildApp({
      config,
      db,
      temporal,
      policy,
      logger: { level: config.logLevel },
      rateLimit: { max: config.rateLimitPerMinute, timeWindowMs: 60_000 },
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
      console.error('the API failed to start:', err);
      process.exit(1);
    },
  );
}
