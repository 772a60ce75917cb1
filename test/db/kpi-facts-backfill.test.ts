/**
 * The background catch-up of the KPI facts rows (api/plugins/kpi-facts-backfill.ts, db/kpi-facts.ts
 * `backfillKpiFactsAfter`) on a real SQLite file: orders whose rows are missing or were made by older rules get
 * current rows without any report asking, in steps of a few orders, and a pass over current rows writes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import kpiFactsBackfill from '../../api/plugins/kpi-facts-backfill';
import { closeDatabase, openDatabase, writeTx } from '../../db/client';
import { appendEvents, orderStream } from '../../db/events';
import { backfillKpiFactsAfter, decodeFacts, refreshKpiFacts } from '../../db/kpi-facts';
import { orderKpiFacts, orders } from '../../db/schema';
import { ORDER_FACTS_VERSION } from '../../domain/kpis';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-kpi-backfill-'));
const db = openDatabase(path.join(dir, 'app.db'));
afterAll(() => {
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

const IDS = ['O-1', 'O-2', 'O-3', 'O-4', 'O-5'];
const at = (min: number) => new Date(Date.parse('2026-11-10T08:00:00Z') + min * 60_000).toISOString();

/** Five approved orders, each with its submission and outcome logged and its row written as the writers do. */
function seed(): void {
  db.delete(orderKpiFacts).run();
  db.delete(orders).run();
  IDS.forEach((orderId, i) => {
    writeTx(db, (tx) => {
      tx.insert(orders)
        .values({ orderId, submittedBy: 'shop', customerId: 'C-1', channel: 'web', status: 'approved', revision: 1, priority: 'normal', totalMinor: 1, submittedAt: at(i), updatedAt: at(i + 1), state: {} })
        .run();
      appendEvents(tx, { stream: orderStream(orderId), orderId, submittedBy: 'shop' }, [
        { id: `${orderId}-s`, type: 'order.submitted', at: at(i), revision: 1, step: 'intake', actor: 'system', data: { channel: 'web', customerId: 'C-1', priority: 'normal' } },
        { id: `${orderId}-a`, type: 'order.approved', at: at(i + 1), revision: 1, step: 'final_approval', actor: 'system', data: { status: 'approved' } },
      ]);
      refreshKpiFacts(db, orderId);
    });
  });
}

const rows = () => db.select().from(orderKpiFacts).all();

describe('KPI facts backfill', () => {
  beforeEach(seed);

  it('steps over every order by id, recomputing only the missing and the stale rows', () => {
    db.delete(orderKpiFacts).where(eq(orderKpiFacts.orderId, 'O-2')).run();
    db.update(orderKpiFacts).set({ factsVersion: ORDER_FACTS_VERSION - 1, facts: null }).where(eq(orderKpiFacts.orderId, 'O-5')).run();
    const steps = [];
    let after = '';
    for (;;) {
      const step = backfillKpiFactsAfter(db, after, 2);
      steps.push(step);
      if (step.next === null) break;
      after = step.next;
    }
    expect(steps).toEqual([
      { next: 'O-2', refreshed: 1 },
      { next: 'O-4', refreshed: 0 },
      { next: null, refreshed: 1 },
    ]);
    expect(rows()).toHaveLength(5);
    for (const r of rows()) {
      expect(r.factsVersion).toBe(ORDER_FACTS_VERSION);
      expect(decodeFacts(r.facts!)).toMatchObject({ orderId: r.orderId, outcome: 'approved', cycleMs: 60_000 });
    }
    // Current rows: a whole pass writes nothing.
    expect(backfillKpiFactsAfter(db, '', 10)).toEqual({ next: null, refreshed: 0 });
  });

  it('runs when the API is ready, without a report asking', async () => {
    db.delete(orderKpiFacts).run();
    const app = Fastify();
    app.decorate('db', db);
    await app.register(kpiFactsBackfill, { batch: 2 });
    await app.ready();
    const deadline = Date.now() + 5_000;
    while (rows().length < IDS.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await app.close();
    expect(rows().map((r) => r.orderId).sort()).toEqual(IDS);
    expect(rows().every((r) => r.factsVersion === ORDER_FACTS_VERSION)).toBe(true);
  });
});
