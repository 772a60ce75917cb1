/**
 * The audit timeline (contract section 5), read from the event log: submission, each automatic check with its
 * findings and evidence, reminders, escalations, timeouts, decisions with who and why, amendments, holds, the
 * outcome, fulfilment, and every refused attempt — one line per logged event, nothing merged or dropped.
 */
import type { Db } from '../../db/client';
import { type EventRow, orderEventsOf } from '../../db/events';
import { OUTCOME_EVENT_TYPES } from '../../domain/events';
import type { StepId } from '../../domain/types';
import { findOrder } from './orders';
import { type HistorySource, isArchived } from './history';

/** One line of the audit timeline. */
export interface AuditLine {
  at: string;
  type: string;
  step: StepId | null;
  actor: string;
  detail: Record<string, unknown>;
}

export interface AuditTimeline {
  orderId: string;
  /** Where the order's Temporal history lives now (replay and /history read it): Temporal, or the app's archive. */
  source: HistorySource;
  events: AuditLine[];
}

/** The audit's names for log types, as the timeline has always called them; other types drop the `order.` prefix. */
const AUDIT_TYPE: Record<string, string> = {
  'order.submitted': 'submitted',
  'order.check_completed': 'check_completed',
  'order.step_awaiting': 'awaiting_decision',
  'order.step_reminded': 'reminder',
  'order.step_escalated': 'escalated',
  'order.step_timed_out': 'timed_out',
  'order.step_decided': 'decision',
  'order.decision_refused': 'decision_refused',
  ...Object.fromEntries(OUTCOME_EVENT_TYPES.map((t) => [t, 'outcome'])),
};

/** What an auditor reads: the event's data without the plumbing (update ids) that only machines need. */
function detailOf(e: EventRow): Record<string, unknown> {
  const { updateId: _updateId, ...detail } = e.data;
  if (e.type === 'order.decision_refused') return { ...detail, source: 'api' };
  if ((OUTCOME_EVENT_TYPES as readonly string[]).includes(e.type)) return { status: detail.status, reason: detail.reason };
  return detail;
}

export function auditLine(e: EventRow): AuditLine {
  return {
    at: e.at,
    type: AUDIT_TYPE[e.type] ?? e.type.replace(/^order\./, ''),
    step: e.step as StepId | null,
    actor: e.actor,
    detail: detailOf(e),
  };
}

/**
 * The order's timeline in time order (events of one instant keep their log order), or undefined for an order the
 * app does not know.
 */
export function orderAuditTimeline(db: Db, orderId: string): AuditTimeline | undefined {
  const rows = orderEventsOf(db, orderId);
  if (rows.length === 0 && !findOrder(db, orderId)) return undefined;
  // Array.prototype.sort is stable: events logged at the same instant keep the workflow's order.
  const events = rows.map(auditLine).sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  return { orderId, source: isArchived(db, orderId) ? 'archive' : 'temporal', events };
}
