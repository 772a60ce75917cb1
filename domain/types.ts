/**
 * The review's vocabulary, shared by the pure rules, the workflow, the activities and the API.
 * Types and constants only: the workflow bundle imports this file, so it must stay free of I/O.
 */

export const STEP_IDS = [
  'intake',
  'info_check',
  'credit',
  'capacity',
  'materials',
  'special_requirements',
  'final_approval',
] as const;
export type StepId = (typeof STEP_IDS)[number];
/** The steps a policy may place in its stages; `intake` always runs first and is not listed. */
export type ReviewStepId = Exclude<StepId, 'intake'>;
export const REVIEW_STEP_IDS = STEP_IDS.filter((s): s is ReviewStepId => s !== 'intake');

export const DEPARTMENTS = ['sales', 'finance', 'production', 'procurement', 'engineering', 'management'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const STEP_DEPARTMENT: Record<StepId, Department | 'system'> = {
  intake: 'system',
  info_check: 'sales',
  credit: 'finance',
  capacity: 'production',
  materials: 'procurement',
  special_requirements: 'engineering',
  final_approval: 'management',
};

export const ORDER_STATUSES = ['in_review', 'changes_requested', 'approved', 'rejected', 'cancelled', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['approved', 'rejected', 'cancelled', 'expired'];

export const STEP_STATUSES = [
  'pending',
  'running',
  'awaiting_decision',
  'auto_approved',
  'approved',
  'rejected',
  'changes_requested',
  'skipped',
  'timed_out',
  'cancelled',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export const CHANNELS = ['web', 'sales', 'partner', 'edi'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PRIORITIES = ['normal', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const CUSTOMER_TIERS = ['standard', 'key', 'vip'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** A reason a check did not pass, or a note on an order. `code` is stable UPPER_SNAKE; `message` is for people. */
export interface Finding {
  code: string;
  message: string;
}

/** Amounts are integer minor units (cents) everywhere inside the system; strings only at the HTTP edge. */
export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

/** A delivery address, as an order or a customer's defaults give it. `country` is ISO 3166-1 alpha-2. */
export interface ShipTo {
  name?: string;
  street: string;
  city: string;
  postalCode?: string;
  country: string;
}

/** Who to talk to at a customer about its orders. */
export interface CustomerContact {
  name?: string;
  email?: string;
  phone?: string;
}

/** What a returning customer's orders may leave out (contract section 10); every field optional. */
export interface CustomerDefaults {
  paymentTerms?: string;
  currency?: string;
  shipTo?: ShipTo;
  contact?: CustomerContact;
}

/** The order fields intake fills from the customer's defaults when the order leaves them out. */
export const DEFAULTABLE_ORDER_FIELDS = ['paymentTerms', 'currency', 'shipTo'] as const;
export type DefaultableOrderField = (typeof DEFAULTABLE_ORDER_FIELDS)[number];

/** The order as intake recorded it: trimmed, defaults applied, totals computed. */
export interface NormalisedOrder {
  orderId: string;
  customerId: string;
  channel: Channel;
  currency: string;
  /** ISO date, YYYY-MM-DD. */
  requestedDeliveryDate: string;
  paymentTerms: string;
  priority: Priority;
  lines: OrderLine[];
  declaredTotalMinor: number | null;
  /** Sum of quantity × unit price over the lines. */
  totalMinor: number;
  specialRequirements: string[];
  notes: string | null;
  /**
   * The fields below came with v1.1 (section 10). Optional, so the input of orders started before them (held by
   * their running workflows) stays a valid NormalisedOrder.
   */
  shipTo?: ShipTo;
  /** The fields intake filled from the customer's defaults; absent when the order gave them all. */
  filledFromCustomer?: DefaultableOrderField[];
  /** The earlier order whose lines this one repeats (re-priced at the list prices of its submission). */
  repeatOf?: string;
}

export interface Decision {
  decision: DecisionKind;
  by: string;
  /** ISO timestamp. */
  at: string;
  comment: string | null;
  /** The principal `by` decided for, as their delegate (contract section 12). */
  onBehalfOf?: string;
}

export interface RiskAssessment {
  score: number;
  reasons: string[];
}

export type OnTimeout = 'reject' | 'expire';

/**
 * When the company works (contract section 12). Plain JSON, because it travels inside the workflow input.
 * The functions that use it are in ./calendar.
 */
export interface BusinessCalendar {
  /** IANA zone in which the working hours, holidays and "today" are meant, e.g. "Asia/Shanghai". */
  timeZone: string;
  /** ISO weekday numbers, 1 = Monday … 7 = Sunday; unique, ascending. */
  workingDays: number[];
  /** Opening and closing time, "HH:MM" local, opening < closing (a working day never spans midnight). */
  workingHours: [string, string];
  /** Days off (YYYY-MM-DD, in the calendar's zone) on top of the non-working weekdays; unique, ascending. */
  holidays: string[];
}

export const BUSINESS_UNITS = ['bh', 'bd'] as const;
/** `bh` business hours; `bd` business days of the calendar's working-day length (see ./calendar). */
export type BusinessUnit = (typeof BUSINESS_UNITS)[number];
/** A duration counted in working time only, e.g. "8bh" = `{ amount: 8, unit: 'bh' }`. */
export interface BusinessDuration {
  amount: number;
  unit: BusinessUnit;
}

/**
 * Timers of one human step, in milliseconds. reminder ≤ escalate ≤ timeout.
 * With `business` (a policy with a calendar whose step durations are "bh"/"bd"), the deadlines come from
 * `business` and the calendar; the *Ms fields then hold the nominal business time (N hours, or N × the working
 * day's length), which is the least wall-clock time the real deadline can be away: never later than it.
 */
export interface StepTimers {
  reminderAfterMs: number;
  escalateAfterMs: number;
  timeoutAfterMs: number;
  onTimeout: OnTimeout;
  /** Present only when this step's durations are business durations (all three are then). */
  business?: { reminderAfter: BusinessDuration; escalateAfter: BusinessDuration; timeoutAfter: BusinessDuration };
}

/** What an amendment reviews again: only the steps whose inputs changed, or every step (the v1.0 behaviour). */
export type ReReview = 'changed' | 'all';

/** The review policy with durations resolved to milliseconds; captured as workflow input when an order starts. */
export interface ResolvedPolicy {
  autoApprove: { finalApprovalLimitMinor: number; maxRiskScore: number };
  segregationOfDuties: boolean;
  stages: ReviewStepId[][];
  maxRevisions: number;
  steps: Record<ReviewStepId, StepTimers>;
  changesRequestedTimeoutMs: number;
  /** The policy's business calendar, when it has one. */
  calendar?: BusinessCalendar;
  /**
   * Set by every policy resolved since v1.1 ("changed" unless the policy says "all"). Absent only in the input of
   * orders started before the field existed: those re-review everything, as they did when they started.
   */
  reReview?: ReReview;
}
