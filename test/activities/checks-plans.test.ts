/**
 * The credit check's reads of a customer's orders (activities/checks.ts CHECK_SQL) go through their partial indexes
 * (db/schema.ts orders_customer_exposed, orders_customer_finished), so neither reads the customer's whole past; and
 * migration 0012 marks the orders fulfilment had already invoiced or closed, so they stay out of the exposure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_SQL } from '../../activities/checks';
import { closeDatabase, openDatabase } from '../../db/client';
import { createTestDb } from '../helpers/fixtures';
import { migrationsBefore } from '../helpers/migrations';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-checks-plans-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function plan(db: Database.Database, sql: string, params: object): string {
  return (db.prepare(`explain query plan ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
}

describe('the credit check reads a customer through its partial indexes', () => {
  it('open orders: orders_customer_exposed; the record: orders_customer_finished newest first, no sort', () => {
    const db = createTestDb();
    try {
      const open = plan(db.$client, CHECK_SQL.openOrders, { customerId: 'C-1', exceptOrderId: 'X' });
      expect(open).toMatch(/SEARCH o USING INDEX orders_customer_exposed \(customer_id=\?\)/);
      const recent = plan(db.$client, CHECK_SQL.recentFinished, { customerId: 'C-1', exceptOrderId: 'X', limit: 20 });
      expect(recent).toMatch(/SEARCH o USING INDEX orders_customer_finished \(customer_id=\?\)/);
      expect(recent).not.toMatch(/TEMP B-TREE/);
    } finally {
      closeDatabase(db);
    }
  });
});

describe('migration 0012', () => {
  it('marks the orders already invoiced or closed, and only those', () => {
    const file = path.join(dir, 'app.db');
    const before = migrationsBefore(dir, '0012_credit_check_indexes');

    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: before });
    const at = '2026-11-10T08:00:00.000Z';
    const order = old.prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, submitted_at, updated_at, completed_at, state, version)
       values (?, 'shop', 'C-1', 'web', 'approved', 1, 'normal', 100, ?, ?, ?, '{}', 1)`,
    );
    const report = old.prepare(
      `insert into fulfilment_events (order_id, event, reference, at, body_hash, recorded_by, recorded_at) values (?, ?, 'r-1', ?, 'h', 'erp', ?)`,
    );
    for (const [id, events] of [['O-INVOICED', ['shipped', 'invoiced']], ['O-CLOSED', ['closed']], ['O-SHIPPED', ['shipped']], ['O-NONE', []]] as const) {
      order.run(id, at, at, at);
      for (const e of events) report.run(id, e, at, at);
    }
    old.close();

    const db = openDatabase(file);
    try {
      const cleared = db.$client.prepare('select order_id as id, exposure_cleared as cleared from orders order by order_id').all();
      expect(cleared).toEqual([
        { id: 'O-CLOSED', cleared: 1 },
        { id: 'O-INVOICED', cleared: 1 },
        { id: 'O-NONE', cleared: 0 },
        { id: 'O-SHIPPED', cleared: 0 },
      ]);
    } finally {
      closeDatabase(db);
    }
  });
});
