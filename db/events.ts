/**
 * The event log's one append function and its reads. Appends run inside the caller's write transaction (the read
 * model, a hold, a fulfilment change commit together with their events). `seq` is assigned here, per stream, so
 * the workflow's events and the API's (refused attempts, fulfilment) interleave without colliding; an event whose
 * `id` is already logged is skipped, which makes a retried write harmless.
 */
import { asc, eq, sql } from 'drizzle-orm';
import type { EventType, LoggedEvent, NewEvent } from '../domain/events';
import type { StepId } from '../domain/types';
import type { Statement } from 'better-sqlite3';
import { type Db, type Tx, dbOf, prepared } from './client';
import { orderEvents } from './schema';

export type EventRow = typeof orderEvents.$inferSelect;

export function orderStream(orderId: string): string {
  return `order:${orderId}`;
}

export function materialStream(materialId: string): string {
  return `material:${materialId}`;
}

export interface StreamRef {
  stream: string;
  orderId: string | null;
  /** The order's submitter (scopes an integrator's feed); null for events outside any order. */
  submittedBy: string | null;
}

interface EventParams {
  id: string;
  stream: string;
  orderId: string | null;
  submittedBy: string | null;
  type: string;
  at: string;
  revision: number | null;
  step: string | null;
  actor: string;
  data: string;
}

/**
 * `seq` is the stream's next number, read in the same statement; an id already logged inserts nothing. Prepared once
 * per database: most order writes append a handful of events, and building this insert per event was most of their
 * cost (S1 profile).
 */
const appendStatement = (db: Db) =>
  prepared(db, 'appendEvent', () =>
    db.$client.prepare<EventParams>(
      `insert into order_events (id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data)
       values (@id, @stream, (select coalesce(max(seq), 0) + 1 from order_events where stream = @stream),
         @orderId, @submittedBy, @type, @at, @revision, @step, @actor, @data)
       on conflict (id) do nothing`,
    ),
  );

/** Appends events in order; returns how many were new (0 when every id was already logged). */
export function appendEvents(tx: Tx | Db, ref: StreamRef, events: readonly NewEvent[]): number {
  if (events.length === 0) return 0;
  const insert = appendStatement(dbOf(tx));
  let added = 0;
  for (const e of events) {
    added += insert.run({
      id: e.id,
      stream: ref.stream,
      orderId: ref.orderId,
      submittedBy: ref.submittedBy,
      type: e.type,
      at: e.at,
      revision: e.revision ?? null,
      step: e.step ?? null,
      actor: e.actor,
      data: JSON.stringify(e.data),
    }).changes;
  }
  return added;
}

export function toLoggedEvent(row: EventRow): LoggedEvent {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type as EventType,
    at: row.at,
    orderId: row.orderId,
    revision: row.revision,
    step: row.step as StepId | null,
    actor: row.actor,
    data: row.data,
  };
}

/** Every event of one order, in log order. */
export function orderEventsOf(db: Db, orderId: string): EventRow[] {
  const stmt = prepared(db, 'eventsOfOrder', () =>
    db.select().from(orderEvents).where(eq(orderEvents.orderId, sql.placeholder('orderId'))).orderBy(asc(orderEvents.pos)).prepare(),
  );
  return stmt.all({ orderId });
}

export interface EventQuery {
  /** Only events after this log position. */
  afterPos?: number;
  types?: readonly string[];
  orderId?: string;
  /** Only the events of orders this principal submitted (an integrator's scope). */
  submittedBy?: string;
  /** Types left out (e.g. internal ones for an integrator). */
  excludeTypes?: readonly string[];
  limit: number;
}

/**
 * An event as the feed reads it: the fields of the answer in its order, after the row's position, with `data` the
 * JSON text `appendEvents` stored. An array, not an object: better-sqlite3 makes arrays of 500 rows in two thirds of
 * the time it makes objects.
 */
export type FeedEventRow = [
  pos: number,
  id: string,
  seq: number,
  type: string,
  at: string,
  orderId: string | null,
  revision: number | null,
  step: string | null,
  actor: string,
  data: string,
];

const FEED_COLUMNS = 'pos, id, seq, type, at, order_id, revision, step, actor, data';
const ROW_COLUMNS = 'pos, id, stream, seq, order_id as orderId, submitted_by as submittedBy, type, at, revision, step, actor, data';

/**
 * The statement for a query's filter shape (which filters are present, how many types), prepared once per shape:
 * building the SQL with drizzle and preparing it in SQLite on every request was a tenth of a feed page's CPU
 * (BENCHMARKS.md, S8). The shapes are few: the type lists are bounded by the known types.
 */
function eventQuery(db: Db, q: EventQuery, columns: 'feed' | 'rows'): { stmt: Statement; params: unknown[] } {
  const types = q.types && q.types.length > 0 ? q.types : undefined;
  const excluded = q.excludeTypes && q.excludeTypes.length > 0 ? q.excludeTypes : undefined;
  const shape = [columns, q.afterPos !== undefined, types?.length ?? 0, excluded?.length ?? 0, q.orderId !== undefined, q.submittedBy !== undefined];
  const stmt = prepared(db, `eventQuery:${shape.join(':')}`, () => {
    const where: string[] = [];
    if (q.afterPos !== undefined) where.push('pos > ?');
    if (types) where.push(`type in (${types.map(() => '?').join(', ')})`);
    if (excluded) where.push(`type not in (${excluded.map(() => '?').join(', ')})`);
    if (q.orderId !== undefined) where.push('order_id = ?');
    if (q.submittedBy !== undefined) where.push('submitted_by = ?');
    const text = `select ${columns === 'feed' ? FEED_COLUMNS : ROW_COLUMNS} from order_events${where.length > 0 ? ` where ${where.join(' and ')}` : ''} order by pos limit ?`;
    const st = db.$client.prepare(text);
    return columns === 'feed' ? st.raw(true) : st;
  });
  const params: unknown[] = [];
  if (q.afterPos !== undefined) params.push(q.afterPos);
  if (types) params.push(...types);
  if (excluded) params.push(...excluded);
  if (q.orderId !== undefined) params.push(q.orderId);
  if (q.submittedBy !== undefined) params.push(q.submittedBy);
  params.push(q.limit);
  return { stmt, params };
}

/** A page of the log for the feed, oldest first, `data` unparsed (api/event-page.ts writes it as stored). */
export function queryFeedEvents(db: Db, q: EventQuery): FeedEventRow[] {
  const { stmt, params } = eventQuery(db, q, 'feed');
  return stmt.all(...params) as FeedEventRow[];
}

/** A page of the log, oldest first, with each row's position for the next cursor. */
export function queryEvents(db: Db, q: EventQuery): EventRow[] {
  const { stmt, params } = eventQuery(db, q, 'rows');
  return (stmt.all(...params) as (Omit<EventRow, 'data'> & { data: string })[]).map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
}
