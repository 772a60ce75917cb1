/**
 * The per-order KPI facts rows (`order_kpi_facts`): `orderFacts` of each order's logged KPI events, written in the
 * transaction that appends them, so a report reads one row per order instead of every event of the period. Rows
 * missing (a database from before migration 0011, orders copied in by hand) or computed under an older
 * ORDER_FACTS_VERSION are recomputed by the reader before it counts them, so the report always equals
 * `factsOfLog` of the log.
 *
 * Raw better-sqlite3 statements prepared once per database handle: these run on every KPI append and for every
 * order of a report, where drizzle's query building would cost more than the statements themselves.
 */
import type { Statement } from 'better-sqlite3';
import { type DepartmentFacts, KPI_EVENT_TYPES, type KpiEvent, ORDER_FACTS_VERSION, type OrderFacts, orderFacts } from '../domain/kpis';
import { type Db, dbOf, prepared, type Tx, writeTx } from './client';

/** Orders recomputed per write transaction by the reader's backfill: short enough not to hold the worker's writes up. */
export const BACKFILL_BATCH = 500;

interface EventRow {
  orderId: string;
  type: string;
  at: string;
  step: string | null;
  data: string;
}

const eventsStmt = (db: Db): Statement<[string, ...string[]], EventRow> =>
  prepared(db, 'kpiFacts.events', () =>
    db.$client.prepare<[string, ...string[]], EventRow>(
      `select order_id as orderId, type, at, step, data from order_events
       where order_id = ? and type in (${KPI_EVENT_TYPES.map(() => '?').join(', ')}) order by pos`,
    ),
  );

// Only for orders the read model has (the row references it): the legacy backfill may log an order known only to
// the intake, whose row the reader makes once the order is in `orders`.
const upsertStmt = (db: Db): Statement<{ orderId: string; version: number; facts: string | null }> =>
  prepared(db, 'kpiFacts.upsert', () =>
    db.$client.prepare(
      `insert into order_kpi_facts (order_id, facts_version, facts)
       select @orderId, @version, @facts where exists (select 1 from orders where order_id = @orderId)
       on conflict (order_id) do update set facts_version = excluded.facts_version, facts = excluded.facts`,
    ),
  );

interface PeriodRow {
  orderId: string;
  factsVersion: number | null;
  facts: string | null;
}

// The period through an index of `orders`, each order's row by primary key (EXPLAIN QUERY PLAN: SEARCH o USING
// COVERING INDEX orders_submitted, SEARCH f USING INDEX sqlite_autoindex_order_kpi_facts_1; after ANALYZE of the
// S7 data SQLite skip-scans orders_channel instead, measured as fast: 8 ms for the 8,200 rows of 30 days).
const periodStmt = (db: Db): Statement<[string, string], PeriodRow> =>
  prepared(db, 'kpiFacts.period', () =>
    db.$client.prepare<[string, string], PeriodRow>(
      `select o.order_id as orderId, f.facts_version as factsVersion, f.facts as facts
       from orders o left join order_kpi_facts f on f.order_id = o.order_id
       where o.submitted_at >= ? and o.submitted_at < ?`,
    ),
  );

/**
 * The facts as stored: OrderFacts as JSON, each department's zero counts and empty lists left out — most of them
 * are (a department's share is mostly `reviewed: 1, autoPassed: 1`), and the report parses one row per order of the
 * period: 370 bytes an order instead of 900 in the S7 bench, a third of the parse time.
 */
export function encodeFacts(facts: OrderFacts): string {
  const departments: Record<string, Partial<DepartmentFacts>> = {};
  for (const [d, f] of Object.entries(facts.departments)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f)) if (Array.isArray(v) ? v.length > 0 : v !== 0) kept[k] = v;
    departments[d] = kept;
  }
  return JSON.stringify({ ...facts, departments });
}

export function decodeFacts(json: string): OrderFacts {
  const facts = JSON.parse(json) as OrderFacts;
  const departments = facts.departments as Record<string, Partial<DepartmentFacts>>;
  for (const d of Object.keys(departments)) {
    departments[d] = { reviewed: 0, autoPassed: 0, queueMs: [], pickupMs: [], reminders: 0, escalations: 0, timeouts: 0, changesRequested: 0, ...departments[d] };
  }
  return facts;
}

/** The KPI events of one order, in log order. */
export function kpiEventsOf(db: Db, orderId: string): KpiEvent[] {
  return eventsStmt(db)
    .all(orderId, ...KPI_EVENT_TYPES)
    .map((e) => ({ orderId: e.orderId, type: e.type, at: e.at, step: e.step, data: JSON.parse(e.data) as Record<string, unknown> }));
}

const deleteStmt = (db: Db): Statement<[string]> => prepared(db, 'kpiFacts.delete', () => db.$client.prepare('delete from order_kpi_facts where order_id = ?'));

/** Computes and writes one order's row; returns its facts (null: no submission logged). Throws what the rules throw. */
function writeKpiFacts(db: Db, orderId: string): OrderFacts | null {
  const facts = orderFacts(kpiEventsOf(db, orderId));
  upsertStmt(db).run({ orderId, version: ORDER_FACTS_VERSION, facts: facts ? encodeFacts(facts) : null });
  return facts;
}

/**
 * Recomputes one order's facts row from its logged KPI events. Call it inside the write transaction that appended
 * the events (`writeTx`), so the row commits with them.
 */
export function refreshKpiFacts(tx: Tx | Db, orderId: string): void {
  // The transaction's own connection (as appendEvents does): the statements prepared on it run inside it.
  const db = dbOf(tx);
  if (!db.$client.inTransaction) throw new Error('refreshKpiFacts runs inside the write transaction that appends the events');
  try {
    writeKpiFacts(db, orderId);
  } catch {
    // A log the KPI rules cannot read must not fail the write that logged it (the workflow's recordState would retry
    // forever): the row goes, and the report that needs it recomputes it and fails as it did before the rows.
    deleteStmt(db).run(orderId);
  }
}

export interface PeriodFacts {
  /** The facts of the orders submitted in the period (by the read model's `submitted_at`) that have any. */
  facts: OrderFacts[];
  /** Rows this read had to (re)compute: missing, or of an older ORDER_FACTS_VERSION. */
  refreshed: number;
}

/** The facts of the orders submitted in [from, to), computing the rows missing or stale first. */
export function kpiFactsOfPeriod(db: Db, from: string, to: string): PeriodFacts {
  const facts: OrderFacts[] = [];
  const stale: string[] = [];
  for (const row of periodStmt(db).all(from, to)) {
    if (row.factsVersion !== ORDER_FACTS_VERSION) stale.push(row.orderId);
    else if (row.facts !== null) facts.push(decodeFacts(row.facts));
  }
  for (let i = 0; i < stale.length; i += BACKFILL_BATCH) {
    const batch = stale.slice(i, i + BACKFILL_BATCH);
    // BEGIN IMMEDIATE: the events are read under the write lock, so a KPI append by the worker commits either
    // before (and is counted here) or after (and refreshes the row again itself).
    writeTx(db, () => {
      for (const orderId of batch) {
        const f = writeKpiFacts(db, orderId);
        if (f) facts.push(f);
      }
    });
  }
  return { facts, refreshed: stale.length };
}

interface ScanRow {
  orderId: string;
  factsVersion: number | null;
}

// Keyset over the primary key: each step reads the next ids after the last one, never the whole table again.
const scanStmt = (db: Db): Statement<[string, number], ScanRow> =>
  prepared(db, 'kpiFacts.scan', () =>
    db.$client.prepare<[string, number], ScanRow>(
      `select o.order_id as orderId, f.facts_version as factsVersion
       from orders o left join order_kpi_facts f on f.order_id = o.order_id
       where o.order_id > ? order by o.order_id limit ?`,
    ),
  );

export interface BackfillStep {
  /** Where the next step goes on (the last order id read); null once every order was looked at. */
  next: string | null;
  /** Rows this step (re)computed. */
  refreshed: number;
}

/**
 * One step of the catch-up over every order (api/plugins/kpi-facts-backfill.ts): the `limit` orders after `after`
 * (by id; '' for the first), the rows of those that have none or one of another ORDER_FACTS_VERSION recomputed in one
 * write transaction. Small steps, so the process that runs them keeps answering in between.
 */
export function backfillKpiFactsAfter(db: Db, after: string, limit = 200): BackfillStep {
  const rows = scanStmt(db).all(after, limit);
  const stale = rows.filter((r) => r.factsVersion !== ORDER_FACTS_VERSION).map((r) => r.orderId);
  if (stale.length > 0) {
    writeTx(db, (tx) => {
      for (const orderId of stale) refreshKpiFacts(tx, orderId);
    });
  }
  return { next: rows.length === limit ? rows.at(-1)!.orderId : null, refreshed: stale.length };
}
