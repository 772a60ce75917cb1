/**
 * Archives the Temporal history of every finished order into `order_histories`, so audit, history and replay keep
 * working after Temporal forgets the execution (the embedded dev server keeps closed runs for a day).
 *
 * Every few seconds it picks the orders whose read model is terminal and that have no archived history yet, and
 * archives each one whose workflow has closed (the read model turns terminal a moment before the workflow closes).
 */
import type { Client } from '@temporalio/client';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../../db/client';
import { orderHistories, orders } from '../../db/schema';
import { archiveHistory } from '../services/history';

export const TERMINAL_STATUSES = ['approved', 'rejected', 'cancelled', 'expired'] as const;

export interface ArchiveDeps {
  db: Db;
  temporal: Client;
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  /** Orders Temporal no longer knows: not asked again by this process (their history is gone for good). */
  missing?: Set<string>;
}

export interface ArchiveReport {
  archived: string[];
  /** Terminal in the read model, but the workflow has not closed yet: retried on the next pass. */
  running: string[];
  /** Temporal does not know the workflow (any more): nothing left to archive. */
  missing: string[];
  failed: string[];
}

/** One archiving pass over at most `limit` finished orders. Never throws for one order's failure. */
export async function archivePending(deps: ArchiveDeps, limit = 50): Promise<ArchiveReport> {
  const skip = [...(deps.missing ?? [])];
  const rows = deps.db
    .select({ orderId: orders.orderId })
    .from(orders)
    .leftJoin(orderHistories, eq(orderHistories.orderId, orders.orderId))
    .where(and(inArray(orders.status, [...TERMINAL_STATUSES]), isNull(orderHistories.orderId)))
    .orderBy(orders.completedAt)
    .all()
    .filter((r) => !skip.includes(r.orderId))
    .slice(0, limit);
  const report: ArchiveReport = { archived: [], running: [], missing: [], failed: [] };
  for (const { orderId } of rows) {
    try {
      const res = await archiveHistory(deps, orderId);
      if (res === 'archived') report.archived.push(orderId);
      else if (res === 'running') report.running.push(orderId);
      else {
        report.missing.push(orderId);
        deps.missing?.add(orderId);
        deps.log?.warn({ orderId }, 'history archiver: Temporal no longer has this order; its history cannot be archived');
      }
    } catch (err) {
      report.failed.push(orderId);
      deps.log?.warn({ err, orderId }, 'history archiver: archiving failed; retrying on the next pass');
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

async function historyArchiver(app: FastifyInstance, opts: HistoryArchiverOptions): Promise<void> {
  const deps: ArchiveDeps = { db: opts.db ?? app.db, temporal: opts.temporal ?? app.temporal, log: app.log, missing: new Set() };
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;

  const tick = (): void => {
    if (pass) return; // a slow pass (Temporal unreachable) is never overlapped by the next
    pass = archivePending(deps)
      .then((r) => {
        if (r.archived.length > 0) app.log.info({ orders: r.archived }, 'history archiver: archived finished orders');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'history archiver: pass failed'))
      .finally(() => {
        pass = undefined;
      });
  };

  app.addHook('onReady', async () => {
    timer = setInterval(tick, opts.intervalMs ?? 5_000);
    // Never keeps the process alive on its own.
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    // Let a pass in flight finish before the caller closes the database under it.
    await pass;
  });
}

export default fp(historyArchiver, { name: 'history-archiver' });
