/**
 * worker.ts and server.ts started at the same moment on a fresh DATA_DIR both migrate app.db. drizzle reads which
 * migrations are applied before its own transaction, so the process that waited for the other's write lock found
 * the tables already made and died ("table `capacity_bookings` already exists": the chaos suite's first start of the
 * tree, worker and API side by side). Here the other process is held mid-migration on purpose: it has made every
 * table, not yet committed, when a second process opens the file; it commits once that one waits for the lock.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

it('a process opening the database while another migrates it waits, then finds it migrated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-migrate-'));
  const file = path.join(dir, 'app.db');
  try {
    // The first process, stopped inside its migration (what drizzle's migrator does, holding the write lock).
    const first = new Database(file);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
    first.exec('BEGIN IMMEDIATE');
    for (const m of readMigrationFiles({ migrationsFolder: path.join(ROOT, 'db/migrations') })) {
      for (const stmt of m.sql) if (stmt.trim()) first.exec(stmt);
      first.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)').run(m.hash, m.folderMillis);
    }

    const second = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/open-db.ts'), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    second.stdout.on('data', (d: Buffer) => (output += d.toString()));
    second.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => second.once('exit', (code) => resolve(code)));
    // Give it time to start and reach the lock (it waits up to busy_timeout, 5 s), then let it through.
    await new Promise((r) => setTimeout(r, 2_500));
    first.exec('COMMIT');
    first.close();

    expect({ code: await exited, output: output.trim() }).toEqual({ code: 0, output: 'opened' });
    const db = new Database(file, { readonly: true });
    expect((db.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get() as { n: number }).n).toBe(
      readMigrationFiles({ migrationsFolder: path.join(ROOT, 'db/migrations') }).length,
    );
    db.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
