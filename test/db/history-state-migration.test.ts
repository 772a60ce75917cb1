/**
 * The migration that gives the archiver a persistent queue (db/migrations/0010_…): a database at the previous
 * migrations, with finished orders some of which are archived, is migrated; the archived ones are marked 1 and only
 * the others are left for the archiver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { PENDING_SQL } from '../../api/plugins/history-archiver';
import { closeDatabase, openDatabase } from '../../db/client';
import { migrationsBefore } from '../helpers/migrations';

const HISTORY_STATE = '0010_history_archive_state';


describe('history state migration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-migration-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('marks every order with an archived history 1 and leaves the rest to the archiver', () => {
    const file = path.join(dir, 'app.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore(dir, HISTORY_STATE) });
    const order = old.prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
         submitted_at, updated_at, completed_at, state, version) values (?, 'shop', 'C-1', 'web', ?, 1, 'normal', 1000, 0, ?, ?, ?, '{}', 1)`,
    );
    const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
    order.run('archived-1', 'approved', at(0), at(1), at(1));
    order.run('archived-2', 'rejected', at(0), at(2), at(2));
    order.run('pending-1', 'approved', at(0), at(3), at(3));
    order.run('pending-2', 'expired', at(0), at(4), at(4));
    order.run('open-1', 'in_review', at(0), at(5), null);
    const history = old.prepare(`insert into order_histories (order_id, workflow_id, run_id, history) values (?, ?, 'r', '{}')`);
    history.run('archived-1', 'order-archived-1');
    history.run('archived-2', 'order-archived-2');
    old.close();

    const db = openDatabase(file);
    try {
      expect(db.$client.prepare(`select order_id, history_state from orders order by order_id`).all()).toEqual([
        { order_id: 'archived-1', history_state: 1 },
        { order_id: 'archived-2', history_state: 1 },
        { order_id: 'open-1', history_state: 0 },
        { order_id: 'pending-1', history_state: 0 },
        { order_id: 'pending-2', history_state: 0 },
      ]);
      // The archiver's queue: the finished orders without a history, oldest first; an open order is not in it.
      expect(db.$client.prepare(PENDING_SQL.first).all(50)).toEqual([
        { order_id: 'pending-1', completed_at: at(3) },
        { order_id: 'pending-2', completed_at: at(4) },
      ]);
    } finally {
      closeDatabase(db);
    }
  });
});
