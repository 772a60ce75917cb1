/** Opens the app database with durable pragmas and applies the committed migrations. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS_FOLDER = path.join(__dirname, 'migrations');

/**
 * WAL with synchronous=NORMAL: a committed transaction survives a process crash (the WAL is on disk before
 * commit returns); only an OS crash may lose the last transactions. busy_timeout lets the worker and the API
 * processes share the file without SQLITE_BUSY errors.
 */
export function openDatabase(file: string, options: { migrate?: boolean } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema }) as Db;
  if (options.migrate ?? true) migrateShared(db);
  return db;
}

/** The error, or any error in its `cause` chain, is SQLite's. */
function sqliteError(err: unknown): { code: string; message: string } | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ('code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return { code: e.code, message: e.message };
  }
  return undefined;
}

/**
 * Migrates a file other processes may be migrating at the same moment (worker.ts and server.ts started together on
 * a fresh DATA_DIR). drizzle reads which migrations are applied before its own transaction, so the process that
 * waited for the other's write lock finds the tables already made ("table … already exists") or its snapshot stale
 * (SQLITE_BUSY): it runs the migrator again, which now finds them applied. The first writer's transaction is
 * all-or-nothing, so a retry never sees half a migration.
 */
function migrateShared(db: Db): void {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
      return;
    } catch (err) {
      const e = sqliteError(err);
      const raced = e && (e.code.startsWith('SQLITE_BUSY') || / already exists$/.test(e.message));
      if (!raced || attempt >= 5) throw err;
    }
  }
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) db.$client.close();
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Every write transaction goes through here: BEGIN IMMEDIATE takes the write lock up front. A deferred
 * transaction that reads first and writes later cannot wait for a lock held by another process (the worker
 * and the API share the file): SQLite answers SQLITE_BUSY at once instead of honouring busy_timeout.
 * The callback is synchronous on purpose: an async callback would commit before its awaits ran.
 */
export function writeTx<T>(db: Db, fn: (tx: Tx) => T): T {
  return db.transaction(
    (tx) => {
      dbOfTx.set(tx, db);
      return fn(tx);
    },
    { behavior: 'immediate' },
  );
}

const dbOfTx = new WeakMap<Tx, Db>();

/**
 * The database a handle runs on: a transaction of writeTx runs on its database's one connection, so statements
 * prepared on that database (prepared()) run inside the transaction.
 */
export function dbOf(handle: Tx | Db): Db {
  if ('$client' in handle) return handle;
  const db = dbOfTx.get(handle);
  if (!db) throw new Error('dbOf: a transaction not opened by writeTx');
  return db;
}

const preparedByDb = new WeakMap<Db, Map<string, unknown>>();

/**
 * A statement (or a set of them) prepared once per database handle. Building SQL with drizzle and preparing it in
 * SQLite costs more than running it (most of a read request's CPU in the S3 profile, a quarter of the worker's
 * activity thread in S1's); hot per-request and per-activity queries are prepared once.
 */
export function prepared<T>(db: Db, key: string, build: () => T): T {
  let byKey = preparedByDb.get(db);
  if (!byKey) preparedByDb.set(db, (byKey = new Map()));
  let stmt = byKey.get(key) as T | undefined;
  if (stmt === undefined) byKey.set(key, (stmt = build()));
  return stmt;
}
