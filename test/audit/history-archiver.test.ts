/**
 * The history archiver's queue (api/plugins/history-archiver.ts): which finished orders a pass picks, what it marks
 * in `orders.history_state`, and that the mark survives a new process and the read model's next write. Real orders
 * on a real worker and the run's Temporal dev server; "ghost" orders are read-model rows Temporal never had (as
 * after its retention, or copied in from elsewhere).
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import Fastify from 'fastify';
import historyArchiver, { archivePending, type ArchivePosition, type ArchiveReport, PENDING_SQL } from '../../api/plugins/history-archiver';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { orderHistories, orders } from '../../db/schema';
import type { RecordStateInput } from '../../activities/read-model';
import { createTestDb, normalised, tempDbFile } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { awaitingOf, type OrderHandle, startOrder, until } from '../workflows/helpers';

let tc: TestClient;
let db: Db;
let worker: TestWorker;
const taskQueue = uniqueTaskQueue('archiver');
const held: OrderHandle[] = [];

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
  worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
});

afterAll(async () => {
  for (const h of held) await h.terminate('test over').catch(() => undefined);
  await worker?.stop();
  await tc?.connection.close();
  if (db) closeDatabase(db);
});

/** A clean order, auto-approved, its workflow closed. */
async function finishedOrder(): Promise<string> {
  const order = normalised({ customerId: 'C-OK' });
  await (await startOrder(tc.client, taskQueue, order)).result();
  return order.orderId;
}

/** An order whose workflow stays open (awaiting finance): a read model marked terminal for it finds it running. */
async function openOrder(): Promise<string> {
  const order = normalised({ customerId: 'C-SMALL' });
  const h = await startOrder(tc.client, taskQueue, order);
  held.push(h);
  await until(h, awaitingOf('credit'));
  return order.orderId;
}

/** A finished read-model row, written straight into `into`. */
function readModelRow(into: Db, orderId: string, completedAt: string): void {
  into.$client
    .prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
         submitted_at, updated_at, completed_at, state, version) values (?, 'shop', 'C-OK', 'web', 'approved', 1, 'normal', 1000, 0, ?, ?, ?, '{}', 1)`,
    )
    .run(orderId, completedAt, completedAt, completedAt);
}

const stateOf = (d: Db, orderId: string) => d.select({ s: orders.historyState }).from(orders).where(eq(orders.orderId, orderId)).get()?.s;
const all = (r: ArchiveReport) => [...r.archived, ...r.running, ...r.missing, ...r.failed];

describe('history archiver', () => {
  it('marks an archived order 1 and one Temporal does not know 2; a new process asks about neither again', async () => {
    const done = await finishedOrder();
    const ghost = `ghost-${randomUUID()}`;
    readModelRow(db, ghost, new Date().toISOString());
    expect(stateOf(db, done)).toBe(0);

    const first = await archivePending({ db, temporal: tc.client }, 1_000);
    expect(first.archived).toContain(done);
    expect(first.missing).toContain(ghost);
    expect(stateOf(db, done)).toBe(1);
    expect(stateOf(db, ghost)).toBe(2);
    expect(db.select({ id: orderHistories.orderId }).from(orderHistories).where(eq(orderHistories.orderId, done)).get()).toBeDefined();

    // A new process: new deps, nothing kept in memory.
    const again = await archivePending({ db, temporal: tc.client, position: {} }, 1_000);
    expect(all(again)).not.toContain(done);
    expect(all(again)).not.toContain(ghost);
  });

  it("keeps the mark through the read model's next write", async () => {
    const done = await finishedOrder();
    await archivePending({ db, temporal: tc.client }, 1_000);
    expect(stateOf(db, done)).toBe(1);
    // The workflow's recordState upserts the row with a newer version (a retried or late write would be older).
    const row = db.select({ state: orders.state, version: orders.version }).from(orders).where(eq(orders.orderId, done)).get()!;
    const state = { ...(row.state as unknown as RecordStateInput['state']), version: row.version + 1 };
    expect((await createActivities(db).recordState({ state, events: [] })).applied).toBe(true);
    expect(db.select({ version: orders.version, s: orders.historyState }).from(orders).where(eq(orders.orderId, done)).get()).toEqual({ version: row.version + 1, s: 1 });
  });

  it('reads at most `limit` orders a pass, and orders that stay pending do not starve the ones behind them', async () => {
    // Its own read model: only the rows made here are pending.
    const queue = openDatabase(tempDbFile('archiver-queue'));
    try {
      const t = (min: number) => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
      const stuck = [await openOrder(), await openOrder(), await openOrder()];
      const ghosts = [`ghost-${randomUUID()}`, `ghost-${randomUUID()}`, `ghost-${randomUUID()}`];
      const done = await finishedOrder();
      stuck.forEach((id, i) => readModelRow(queue, id, t(i)));
      ghosts.forEach((id, i) => readModelRow(queue, id, t(10 + i)));
      readModelRow(queue, done, t(20));
      const deps = { db: queue, temporal: tc.client };

      // Without a position every pass starts at the oldest: three orders that stay running fill every batch of 3.
      for (let i = 0; i < 2; i++) expect(await archivePending(deps, 3)).toEqual({ archived: [], running: stuck, missing: [], failed: [] });
      expect(ghosts.map((id) => stateOf(queue, id))).toEqual([0, 0, 0]);

      // With one (as the plugin keeps it), each pass goes on after the last, and a short batch starts a new round.
      const position: ArchivePosition = {};
      const passes: ArchiveReport[] = [];
      for (let i = 0; i < 4; i++) passes.push(await archivePending({ ...deps, position }, 3));
      expect(passes).toEqual([
        { archived: [], running: stuck, missing: [], failed: [] },
        { archived: [], running: [], missing: ghosts, failed: [] },
        { archived: [done], running: [], missing: [], failed: [] },
        { archived: [], running: stuck, missing: [], failed: [] },
      ]);
      expect([...stuck, ...ghosts, done].map((id) => stateOf(queue, id))).toEqual([0, 0, 0, 2, 2, 2, 1]);
    } finally {
      closeDatabase(queue);
    }
  });

  it('the plugin goes on at once after a full batch: a backlog drains without waiting the interval between batches', async () => {
    const backlog = openDatabase(tempDbFile('archiver-backlog'));
    const app = Fastify();
    try {
      // 120 finished orders Temporal never had: each pass of 50 marks its batch, so the queue moves on every time.
      const ids = Array.from({ length: 120 }, (_, i) => `ghost-${i.toString().padStart(3, '0')}-${randomUUID()}`);
      ids.forEach((id, i) => readModelRow(backlog, id, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()));
      // An interval far longer than the test: only passes that follow a full batch at once can drain it in time.
      await app.register(historyArchiver, { db: backlog, temporal: tc.client, intervalMs: 600_000 });
      await app.ready();
      const pending = () => ids.filter((id) => stateOf(backlog, id) === 0).length;
      // The first pass at ready, then two more batches right away.
      const deadline = Date.now() + 10_000;
      while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(pending()).toBe(0);
    } finally {
      await app.close();
      closeDatabase(backlog);
    }
  });

  it("reads the queue through its partial index, in the index's order (no scan, no sort)", () => {
    for (const sql of [PENDING_SQL.first, PENDING_SQL.next]) {
      const plan = (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql === PENDING_SQL.first ? [50] : ['', '', 50])) as { detail: string }[]).map((r) => r.detail);
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(/^(SCAN|SEARCH) orders USING INDEX orders_history_pending\b/);
    }
    expect(db.$client.prepare(`EXPLAIN QUERY PLAN ${PENDING_SQL.next}`).get('', '', 50)).toMatchObject({ detail: expect.stringContaining('((completed_at,order_id)>(?,?))') });
  });
});
