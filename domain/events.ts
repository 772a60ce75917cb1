/**
 * The event log's vocabulary (contract section 7): every change an order goes through is one event, written in the
 * same transaction as the read model. Audit, webhooks, notifications and KPIs all read this one log.
 * Types and constants only: the workflow bundle imports this file.
 */
import type { CheckEvidence } from './evidence';
import type { DecisionKind, Department, Finding, OrderStatus, RiskAssessment, StepId } from './types';

export const EVENT_TYPES = [
  'order.submitted',
  'order.check_completed',
  'order.step_awaiting',
  'order.step_decided',
  'order.step_reminded',
  'order.step_escalated',
  'order.step_timed_out',
  'order.step_rechecked',
  'order.step_claimed',
  'order.step_unclaimed',
  'order.holds_reserved',
  'order.holds_released',
  'order.changes_requested',
  'order.amended',
  'order.approved',
  'order.rejected',
  'order.cancelled',
  'order.expired',
  'order.fulfilment',
  'order.decision_refused',
  'material.below_reorder_point',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Ids of events logged later for orders reviewed before the log existed (v1.0): history, never relayed. */
export const LEGACY_EVENT_ID_PREFIX = 'legacy:';

/** The types that end an order's review: each carries `OutcomeData`. */
export const OUTCOME_EVENT_TYPES = ['order.approved', 'order.rejected', 'order.cancelled', 'order.expired'] as const;
export type OutcomeEventType = (typeof OUTCOME_EVENT_TYPES)[number];

export function outcomeEventType(status: OrderStatus): OutcomeEventType | null {
  const type = `order.${status}`;
  return (OUTCOME_EVENT_TYPES as readonly string[]).includes(type) ? (type as OutcomeEventType) : null;
}

/**
 * Types that stay inside the company: a partner's integrator never sees who tried to decide what and was refused.
 * (Material events carry no order, so they are out of an integrator's scope anyway.)
 */
export const INTERNAL_EVENT_TYPES: readonly EventType[] = ['order.decision_refused', 'material.below_reorder_point'];

export interface SubmittedData {
  revision: number;
  total: string;
  currency: string;
  customerId: string;
  channel: string;
  priority: string;
  risk: RiskAssessment | null;
}

export interface CheckCompletedData {
  outcome: 'auto_approved' | 'findings' | 'skipped' | 'kept';
  findings: Finding[];
  /** The figures and master-data versions the check decided on (section 10), when it has any. */
  evidence?: CheckEvidence;
  /** For a result an amendment kept (section 12): the revision it was decided in. */
  keptFromRevision?: number;
}

/** A department ran a waiting step's check again on today's master data (section 10). */
export interface StepRecheckedData {
  /** auto_approved: it passes now and the review goes on; findings: it still waits, with these findings. */
  outcome: 'auto_approved' | 'findings';
  findings: Finding[];
  evidence?: CheckEvidence;
  updateId?: string;
}

export interface StepAwaitingData {
  department: Department | 'system';
  dueAt: string | null;
  findings: string[];
}

export interface StepDecidedData {
  decision: DecisionKind;
  comment: string | null;
  /** The delegator, when a delegate decided (section 12). */
  onBehalfOf?: string;
  /** The Update that carried the decision: a retry with the same Idempotency-Key finds its result here. */
  updateId?: string;
}

export interface OutcomeData {
  status: OrderStatus;
  step: StepId | null;
  reason: string;
}

export interface DecisionRefusedData {
  decision?: DecisionKind;
  reason: string;
  /** The HTTP status the attempt was answered with (403, 409). */
  status: number;
}

/** An event as the workflow (or the API) hands it to the log writer; the log assigns `seq` and its position. */
export interface NewEvent {
  /** Globally unique and stable: the workflow derives it deterministically, so a retried write is a no-op. */
  id: string;
  type: EventType;
  at: string;
  revision: number | null;
  step: StepId | null;
  actor: string;
  data: Record<string, unknown>;
}

/** An event as the log holds it and `GET /v1/events` shows it. */
export interface LoggedEvent extends NewEvent {
  seq: number;
  orderId: string | null;
}
