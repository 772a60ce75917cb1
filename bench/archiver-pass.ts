/**
 * `npx tsx bench/archiver-pass.ts [orders]`: the cost of one history archiver pass (api/plugins/history-archiver.ts)
 * with nothing to archive, on a read model of `orders` (default 100,000) finished orders that all have their history
 * archived — the state of the S7 bench. The pass runs synchronously on the API's event loop, so its time is how long
 * every request in flight waits. Temporal is never asked (nothing is pending); a stub stands in for the client.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { archivePending } from '../api/plugins/history-archiver';
import { closeDatabase, openDatabase } from '../db/client';
import { median, percentile, round } from './lib/stats';

const N = Number(process.argv[2] ?? 100_000);
const PASSES = 20;
const T0 = Date.parse('2026-01-01T00:00:00Z');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-archiver-pass-'));
  const db = openDatabase(path.join(dir, 'app.db'));
  try {
    const c = db.$client;
    // A state of the size a finished order's read model carries (a few steps with findings and decisions).
    const state = JSON.stringify({ pad: 'x'.repeat(2_000) });
    const hasState = (c.prepare(`select count(*) from pragma_table_info('orders') where name = 'history_state'`).pluck().get() as number) > 0;
    const order = c.prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
         submitted_at, updated_at, completed_at, state, version) values (?, 'shop', ?, 'web', ?, 1, 'normal', 1000, 0, ?, ?, ?, ?, 1)`,
    );
    const history = c.prepare(`insert into order_histories (order_id, workflow_id, run_id, history) values (?, 'seed', 'seed', '{}')`);
    const statuses = ['approved', 'approved', 'approved', 'rejected', 'cancelled', 'expired'];
    c.transaction(() => {
      for (let i = 0; i < N; i++) {
        const id = `P-${String(i).padStart(7, '0')}`;
        const at = new Date(T0 + i * 60_000).toISOString();
        order.run(id, `C-${i % 500}`, statuses[i % statuses.length], at, at, at, state);
        history.run(id);
      }
    })();
    // What migration 0010 does for orders archived before it (absent before it).
    if (hasState) c.exec(`update orders set history_state = 1 where order_id in (select order_id from order_histories)`);
    c.exec('analyze');

    const deps = { db, temporal: {} as Client };
    const ms: number[] = [];
    for (let i = 0; i < PASSES + 1; i++) {
      const t = performance.now();
      const r = await archivePending(deps);
      const took = performance.now() - t;
      if (r.archived.length + r.running.length + r.missing.length + r.failed.length > 0) throw new Error(`something was pending: ${JSON.stringify(r)}`);
      if (i > 0) ms.push(took); // the first pass warms the page cache and prepares the statement
    }
    console.log(JSON.stringify({ orders: N, historyStateColumn: hasState, passes: PASSES, medianMs: round(median(ms), 3), p90Ms: round(percentile(ms, 90), 3), maxMs: round(Math.max(...ms), 3) }));
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
