/**
 * Archives the Temporal history of every finished order into `order_histories`, so audit, history and replay keep
 * working after Temporal forgets the execution (the embedded dev server keeps closed runs for a day).
 *
 * Every few seconds it picks the orders whose read model is terminal and whose history is not archived yet
 * (`orders.history_state = 0`), and archives each one whose workflow has closed (the read model turns terminal a
 * moment before the workflow closes). The pass runs on the API's event loop: it reads only its batch, through a
 * partial index that holds just the orders still to archive, however many finished orders there are.
 */
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Db, prepared } from '../../db/client';
import { TERMINAL_STATUSES } from '../../domain/types';
import { archiveHistory, markHistoryMissing } from '../services/history';

/**
 * The queue is the partial index `orders_history_pending` (db/schema.ts). Left to itself, SQLite's planner prefers
 * `orders_status` (status IN …) and sorts every finished order (~500 ms at 100,000), so the query names the index.
 * With INDEXED BY, a WHERE that stops matching the index's own (SQLite uses a partial index only when the query's
 * WHERE contains its terms, hence literals, not bound parameters) fails to prepare instead of scanning quietly.
 */
const PENDING = `SELECT order_id, completed_at FROM orders INDEXED BY orders_history_pending
  WHERE history_state = 0 AND status IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const ORDER = 'ORDER BY completed_at, order_id LIMIT ?';
/** The queue's head, and the queue after a position (exported for the query plan's test). */
export const PENDING_SQL = {
  first: `${PENDING} ${ORDER}`,
  next: `${PENDING} AND (completed_at, order_id) > (?, ?) ${ORDER}`,
};

/** Where a process's last pass stopped in the queue (completion order). */
export interface ArchivePosition {
  after?: { completedAt: string; orderId: string };
}

export interface ArchiveDeps {
  db: Db;
  temporal: Client;
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  /**
   * Kept by the plugin between passes: each pass goes on after the previous one's last order, and starts over at the
   * oldest once it reaches the end. So orders that stay pending (a workflow still closing, a history that keeps
   * failing to archive) cost one try per round through the queue, and can never fill every batch and starve the
   * orders behind them. Simpler than counting attempts per order, and nothing to persist: a failure is retried on
   * the next round, as before. Without it every pass starts at the oldest pending order.
   */
  position?: ArchivePosition;
}

export interface ArchiveReport {
  archived: string[];
  /** Terminal in the read model, but the workflow has not closed yet: retried on the next round. */
  running: string[];
  /** Temporal does not know the workflow (any more): nothing left to archive; marked, and never asked again. */
  missing: string[];
  failed: string[];
}

type Pending = { order_id: string; completed_at: string | null };

function pendingOrders(db: Db, limit: number, position: ArchivePosition | undefined): Pending[] {
  const sqlite = db.$client;
  const first = prepared(db, 'archiver.pending.first', () => sqlite.prepare<[number], Pending>(PENDING_SQL.first));
  const after = position?.after;
  if (!after) return first.all(limit);
  const next = prepared(db, 'archiver.pending.next', () => sqlite.prepare<[string, string, number], Pending>(PENDING_SQL.next));
  const rows = next.all(after.completedAt, after.orderId, limit);
  // At the end of the queue: start the next round in this pass rather than idle for one interval.
  return rows.length > 0 ? rows : first.all(limit);
}

/** One archiving pass over at most `limit` finished orders. Never throws for one order's failure. */
export async function archivePending(deps: ArchiveDeps, limit = 50): Promise<ArchiveReport> {
  const rows = pendingOrders(deps.db, limit, deps.position);
  if (deps.position) {
    const last = rows.at(-1);
    // A full batch: the next pass goes on after it; a short one reached the end, the next starts over. (A terminal
    // order always has completed_at; were it null, '' sorts before every time.)
    deps.position.after = last && rows.length === limit ? { completedAt: last.completed_at ?? '', orderId: last.order_id } : undefined;
  }
  const report: ArchiveReport = { archived: [], running: [], missing: [], failed: [] };
  for (const { order_id: orderId } of rows) {
    try {
      const res = await archiveHistory(deps, orderId);
      if (res === 'archived') report.archived.push(orderId);
      else if (res === 'running') report.running.push(orderId);
      else {
        markHistoryMissing(deps.db, orderId);
        report.missing.push(orderId);
        deps.log?.warn({ orderId }, 'history archiver: Temporal no longer has this order; its history cannot be archived');
      }
    } catch (err) {
      report.failed.push(orderId);
      deps.log?.warn({ err, orderId }, 'history archiver: archiving failed; retrying on the next round');
    }
  }
  return report;
}

export interface HistoryArchiverOptions {
  /** Time between passes; default 5 s. */
  intervalMs?: number;
  /** Defaults to the app's `db` / `temporal` decorators. */
  db?: Db;
  temporal?: Client;
}

/** Orders one pass reads. */
const BATCH = 50;

async function historyArchiver(app: FastifyInstance, opts: HistoryArchiverOptions): Promise<void> {
  const deps: ArchiveDeps = { db: opts.db ?? app.db, temporal: opts.temporal ?? app.temporal, log: app.log, position: {} };
  const intervalMs = opts.intervalMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  let closed = false;

  const schedule = (ms: number): void => {
    if (closed) return;
    timer = setTimeout(run, ms);
    // Never keeps the process alive on its own.
    timer.unref();
  };

  // One pass at a time (a slow pass, Temporal unreachable, is never overlapped): the next is scheduled when it ends.
  const run = (): void => {
    pass = archivePending(deps, BATCH)
      .then((r) => {
        if (r.archived.length > 0) app.log.info({ orders: r.archived }, 'history archiver: archived finished orders');
        // A full batch that moved the queue on means more are waiting behind it: go on at once. Waiting the interval
        // after every batch caps the archive at 10 orders a second, and at a steady 20 approvals a second the
        // backlog would grow until Temporal's retention deletes histories never archived (S10 ended with half of its
        // 6,348 orders unarchived). A batch of orders only still running or failing waits the interval.
        const read = r.archived.length + r.running.length + r.missing.length + r.failed.length;
        return read === BATCH && r.archived.length + r.missing.length > 0;
      })
      .catch((err: unknown) => {
        app.log.warn({ err }, 'history archiver: pass failed');
        return false;
      })
      .then((more) => {
        pass = undefined;
        schedule(more ? 0 : intervalMs);
      });
  };

  app.addHook('onReady', async () => {
    // What finished while no API ran is archived now, not one interval later.
    schedule(0);
  });
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
    // Let a pass in flight finish before the caller closes the database under it.
    await pass;
  });
}

export default fp(historyArchiver, { name: 'history-archiver' });
