/**
 * Migration 0011 (the KPI facts rows) on a database made at 0010 with reviewed orders in it: the table comes empty,
 * the first report computes the rows of its period and answers what the log says, and the next one reads them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { kpisOf } from '../../api/services/kpis';
import { closeDatabase, openDatabase } from '../../db/client';
import { kpiFactsOfPeriod } from '../../db/kpi-facts';
import { migrationsBefore } from '../helpers/migrations';

const FIRST_WITH_FACTS = '0011_kpi_facts';


describe('KPI facts migration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-kpi-migration-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts empty; the first report computes its period\'s rows and counts what the log says', () => {
    const file = path.join(dir, 'app.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore(dir, FIRST_WITH_FACTS) });
    const t = (min: number) => new Date(Date.parse('2026-11-10T08:00:00Z') + min * 60_000).toISOString();
    const order = old.prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, submitted_at, updated_at, state)
       values (?, 'shop', 'C-1', 'web', ?, 1, 'normal', 100, ?, ?, '{}')`,
    );
    const event = old.prepare(
      `insert into order_events (id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data)
       values (?, ?, ?, ?, 'shop', ?, ?, 1, ?, 'test', ?)`,
    );
    const log = (id: string, events: [min: number, type: string, step: string | null, data: object][]) =>
      events.forEach(([min, type, step, data], i) => event.run(`${id}-${i}`, `order:${id}`, i + 1, id, type, t(min), step, JSON.stringify(data)));
    // A: approved without a wait. B: credit waited 10 minutes, then approved. C: still waiting.
    order.run('A', 'approved', t(0), t(1));
    log('A', [[0, 'order.submitted', 'intake', { channel: 'web', customerId: 'C-1' }], [0, 'order.check_completed', 'credit', { outcome: 'auto_approved' }], [1, 'order.approved', null, {}]]);
    order.run('B', 'approved', t(0), t(10));
    log('B', [
      [0, 'order.submitted', 'intake', { channel: 'web', customerId: 'C-1' }],
      [0, 'order.check_completed', 'credit', { outcome: 'findings' }],
      [0, 'order.step_awaiting', 'credit', {}],
      [10, 'order.step_decided', 'credit', { decision: 'approve' }],
      [10, 'order.approved', null, {}],
    ]);
    order.run('C', 'in_review', t(5), t(5));
    log('C', [[5, 'order.submitted', 'intake', { channel: 'web', customerId: 'C-1' }], [5, 'order.step_awaiting', 'credit', {}]]);
    old.close();

    const db = openDatabase(file);
    try {
      expect(db.$client.prepare('select count(*) from order_kpi_facts').pluck().get()).toBe(0);
      const period = { from: '2026-11-10T00:00:00.000Z', to: '2026-11-11T00:00:00.000Z' };
      const report = kpisOf(db, period, { timeZone: 'UTC' });
      expect(report.totals).toMatchObject({ orders: 3, outcomes: { approved: 2, open: 1 }, touchless: 1, cycleTimeSeconds: { p50: 60, p90: 600 } });
      expect(report.totals.departments.find((d) => d.department === 'finance')).toMatchObject({ stepsReviewed: 2, autoPassed: 1, answered: 1, queueTimeSeconds: { p50: 600 } });
      expect(db.$client.prepare('select count(*) from order_kpi_facts').pluck().get()).toBe(3);
      expect(kpiFactsOfPeriod(db, period.from, period.to).refreshed).toBe(0);
      expect(kpisOf(db, period, { timeZone: 'UTC' })).toEqual(report);
    } finally {
      closeDatabase(db);
    }
  });
});
