/**
 * The event log for orders reviewed before it existed (the v1.0 release kept its audit events only in the results of
 * the workflow's `recordState` local activity, in the history). Once per such order, those events are decoded from
 * its history (the archive, else Temporal) and logged with ids of their own (`legacy:<orderId>:<n>`), so the audit,
 * the feed and the KPIs cover the order's whole life. Relays do not carry them: they were never promised to anyone,
 * and a mail about a step that waited last month would only mislead.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { and, eq, notExists, sql } from 'drizzle-orm';
import { type Db, writeTx } from '../../db/client';
import { appendEvents, orderStream } from '../../db/events';
import { refreshKpiFacts } from '../../db/kpi-facts';
import { orderEvents, orderIntake, orders } from '../../db/schema';
import { type EventType, LEGACY_EVENT_ID_PREFIX, type NewEvent, outcomeEventType } from '../../domain/events';
import type { OrderStatus, StepId } from '../../domain/types';
import { fetchOrderHistory, type HistoryDeps, type HistoryJson } from './history';


/** An audit event as v1.0's workflow recorded it. */
interface V1AuditEvent {
  at: string;
  type: string;
  step: StepId | null;
  actor: string;
  detail: Record<string, unknown>;
}

const V1_TYPES: Record<string, EventType> = {
  submitted: 'order.submitted',
  check_completed: 'order.check_completed',
  awaiting_decision: 'order.step_awaiting',
  reminder: 'order.step_reminded',
  escalated: 'order.step_escalated',
  timed_out: 'order.step_timed_out',
  decision: 'order.step_decided',
  amended: 'order.amended',
  holds_reserved: 'order.holds_reserved',
  holds_released: 'order.holds_released',
};

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

function decodePayloads(payloads: unknown): unknown[] {
  const list = (payloads as { payloads?: JsonPayload[] } | undefined)?.payloads ?? [];
  return list.map((p) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    }),
  );
}

/** The v1.0 audit events a history's recordState markers hold, in the log's vocabulary. */
export function legacyEventsOf(orderId: string, history: HistoryJson): NewEvent[] {
  const recorded: V1AuditEvent[] = [];
  for (const e of history.events) {
    const a = e.markerRecordedEventAttributes as { markerName?: string; details?: Record<string, unknown> } | undefined;
    if (a?.markerName !== 'core_local_activity') continue;
    const [meta] = decodePayloads(a.details?.data) as [{ activity_type?: string } | undefined];
    if (meta?.activity_type !== 'recordState') continue;
    const [result] = decodePayloads(a.details?.result) as [{ events?: V1AuditEvent[] } | undefined];
    recorded.push(...(result?.events ?? []));
  }
  const out: NewEvent[] = [];
  let revision = 1;
  let canceller: string | undefined;
  for (const [i, ev] of recorded.entries()) {
    if (typeof ev.detail?.revision === 'number') revision = ev.detail.revision;
    const base = { id: `${LEGACY_EVENT_ID_PREFIX}${orderId}:${i + 1}`, at: ev.at, revision, step: ev.step, actor: ev.actor, data: ev.detail ?? {} };
    if (ev.type === 'cancelled') {
      canceller = ev.actor; // v1.0 wrote the cancellation and its outcome as two events: the outcome carries both now
      continue;
    }
    if (ev.type === 'outcome') {
      const status = ev.detail.status as OrderStatus;
      const type = outcomeEventType(status);
      if (type) out.push({ ...base, type, actor: status === 'cancelled' ? (canceller ?? ev.actor) : ev.actor, data: { status, step: ev.step, reason: ev.detail.reason } });
      continue;
    }
    const type = V1_TYPES[ev.type];
    if (type) out.push({ ...base, type });
  }
  return out;
}

/** Orders the app knows that have no `order.submitted` in the log: reviewed (at least partly) before it existed. */
export function ordersWithoutLog(db: Db, limit: number): { orderId: string; submittedBy: string }[] {
  const submitted = (orderId: typeof orders.orderId | typeof orderIntake.orderId) =>
    db.select({ one: sql`1` }).from(orderEvents).where(and(eq(orderEvents.orderId, orderId), eq(orderEvents.type, 'order.submitted')));
  const fromReadModel = db
    .select({ orderId: orders.orderId, submittedBy: orders.submittedBy })
    .from(orders)
    .where(notExists(submitted(orders.orderId)))
    .limit(limit)
    .all();
  if (fromReadModel.length >= limit) return fromReadModel;
  const seen = new Set(fromReadModel.map((o) => o.orderId));
  const fromIntake = db
    .select({ orderId: orderIntake.orderId, submittedBy: orderIntake.submittedBy })
    .from(orderIntake)
    .where(notExists(submitted(orderIntake.orderId)))
    .limit(limit)
    .all()
    .filter((o) => !seen.has(o.orderId));
  return [...fromReadModel, ...fromIntake].slice(0, limit);
}

export interface BackfillReport {
  backfilled: string[];
  /** No history anywhere (Temporal forgot it and it was never archived), or a history with no v1.0 events. */
  nothingToLog: string[];
}

/**
 * One pass: logs the v1.0 events of up to `limit` orders lacking them. Idempotent (stable ids); an order whose
 * history has no v1.0 events (a review started after the upgrade that has not logged yet) is left for later.
 */
export async function backfillLegacyEvents(deps: HistoryDeps, limit = 100, skip: ReadonlySet<string> = new Set()): Promise<BackfillReport> {
  const report: BackfillReport = { backfilled: [], nothingToLog: [] };
  for (const { orderId, submittedBy } of ordersWithoutLog(deps.db, limit + skip.size).filter((o) => !skip.has(o.orderId)).slice(0, limit)) {
    const found = await fetchOrderHistory(deps, orderId);
    const events = found ? legacyEventsOf(orderId, found.history) : [];
    if (events.length === 0) {
      report.nothingToLog.push(orderId);
      continue;
    }
    writeTx(deps.db, (tx) => {
      if (appendEvents(tx, { stream: orderStream(orderId), orderId, submittedBy }, events) > 0) refreshKpiFacts(tx, orderId);
    });
    report.backfilled.push(orderId);
  }
  return report;
}
