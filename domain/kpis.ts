/**
 * The operations KPIs (contract section 11), defined once, as pure functions over the event log: what happened to
 * each order (submitted, checked, waited, decided, reminded, escalated, timed out, amended, ended) is read from its
 * events alone, so the figures of a period never drift from the audit timeline that shows the same events.
 *
 * Definitions (each over the orders submitted in the period):
 * - finished: orders with an outcome (approved, rejected, cancelled, expired); open: the rest.
 * - touchless rate: approved orders in which no step ever waited for a person, over finished orders.
 * - first-pass rate: approved orders that were never amended, over finished orders.
 * - cycle time p50/p90: submitted → outcome, over finished orders.
 * - per department: steps reviewed (automatic checks run on its steps, skipped and kept results not counted), the
 *   share of them that passed automatically, queue time p50/p90 (a step starting to wait → the department's answer:
 *   a decision, or a recheck that passed), reminders, escalations, timeouts and changes requested on its steps.
 * - per department, the hand-off: pickup time p50/p90 (a step starting to wait → the first sign a person of the
 *   department took it up: claiming it themselves, or answering it; a hand-over by management is not a pickup), over
 *   the waits that were picked up; and the total queue time (the sum of the answered waits), whose shares say which
 *   hand-off holds orders longest.
 * Percentiles are nearest-rank (the smallest observed value with at least p % of the values at or below it), so
 * every figure is a time that really happened. Rates are fractions (0–1) rounded to 4 places; null without data.
 */
import { calendarDay } from './calendar';
import { DEPARTMENTS, type Department, STEP_DEPARTMENT, type StepId } from './types';

export const KPI_GROUPINGS = ['department', 'channel', 'tier', 'day'] as const;
export type KpiGrouping = (typeof KPI_GROUPINGS)[number];

export const OUTCOMES = ['approved', 'rejected', 'cancelled', 'expired'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The part of a logged event the KPIs read. */
export interface KpiEvent {
  orderId: string | null;
  type: string;
  at: string;
  step: string | null;
  data: Record<string, unknown>;
}

/** The event types the KPIs read (the reader may fetch only these). */
export const KPI_EVENT_TYPES = [
  'order.submitted',
  'order.check_completed',
  'order.step_awaiting',
  'order.step_decided',
  'order.step_rechecked',
  'order.step_claimed',
  'order.step_reminded',
  'order.step_escalated',
  'order.step_timed_out',
  'order.changes_requested',
  'order.amended',
  ...OUTCOMES.map((o) => `order.${o}` as const),
] as const;

const KPI_EVENT_TYPE_SET: ReadonlySet<string> = new Set(KPI_EVENT_TYPES);

/** Whether an event of this type can change an order's facts. */
export function isKpiEventType(type: string): boolean {
  return KPI_EVENT_TYPE_SET.has(type);
}

/**
 * The version of the rules of `orderFacts`, stored with each order's facts row (db/kpi-facts.ts). Bump it with any
 * change to what `orderFacts` makes of a log (or to KPI_EVENT_TYPES): the report then recomputes every row made
 * under an older version before it counts them.
 */
export const ORDER_FACTS_VERSION = 1;

/** One department's share of one order. */
export interface DepartmentFacts {
  reviewed: number;
  autoPassed: number;
  /** Milliseconds each answered wait took. */
  queueMs: number[];
  /** Milliseconds from each picked-up wait starting to its pickup (a self-claim or the answer). */
  pickupMs: number[];
  reminders: number;
  escalations: number;
  timeouts: number;
  changesRequested: number;
}

/** One order's log, reduced to the facts the figures are made of. */
export interface OrderFacts {
  orderId: string;
  submittedAt: string;
  channel: string;
  customerId: string;
  priority: string;
  outcome: Outcome | null;
  outcomeAt: string | null;
  /** submitted → outcome; null while open. */
  cycleMs: number | null;
  /** How many times a step waited for a person. */
  waits: number;
  amendments: number;
  departments: Partial<Record<Department, DepartmentFacts>>;
}

function departmentOf(step: string | null): Department | null {
  const d = step ? STEP_DEPARTMENT[step as StepId] : undefined;
  return d && d !== 'system' ? d : null;
}

function emptyDepartment(): DepartmentFacts {
  return { reviewed: 0, autoPassed: 0, queueMs: [], pickupMs: [], reminders: 0, escalations: 0, timeouts: 0, changesRequested: 0 };
}

const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);

/**
 * The facts of one order from its events in log order; null when the log has no submission for it (the review has
 * not started yet).
 */
export function orderFacts(events: readonly KpiEvent[]): OrderFacts | null {
  const submitted = events.find((e) => e.type === 'order.submitted');
  if (!submitted?.orderId) return null;
  const facts: OrderFacts = {
    orderId: submitted.orderId,
    submittedAt: submitted.at,
    channel: str(submitted.data.channel, 'unknown'),
    customerId: str(submitted.data.customerId, 'unknown'),
    priority: str(submitted.data.priority, 'normal'),
    outcome: null,
    outcomeAt: null,
    cycleMs: null,
    waits: 0,
    amendments: 0,
    departments: {},
  };
  const dept = (step: string | null): DepartmentFacts | null => {
    const d = departmentOf(step);
    if (!d) return null;
    return (facts.departments[d] ??= emptyDepartment());
  };
  /** Steps waiting now, with the instant they started to. */
  const waiting = new Map<string, number>();
  /** Steps waiting now that nobody has picked up yet, with the instant they started to wait. */
  const unclaimed = new Map<string, number>();
  const pickedUp = (step: string | null, at: string) => {
    const since = step ? unclaimed.get(step) : undefined;
    if (since === undefined || !step) return;
    unclaimed.delete(step);
    dept(step)?.pickupMs.push(Date.parse(at) - since);
  };
  const answered = (step: string | null, at: string) => {
    const since = step ? waiting.get(step) : undefined;
    if (since === undefined || !step) return;
    pickedUp(step, at);
    waiting.delete(step);
    dept(step)?.queueMs.push(Date.parse(at) - since);
  };
  const stopWaiting = () => {
    waiting.clear();
    unclaimed.clear();
  };
  for (const e of events) {
    switch (e.type) {
      case 'order.check_completed': {
        // Skipped steps and results an amendment kept are no review.
        if (e.data.outcome !== 'auto_approved' && e.data.outcome !== 'findings') break;
        const d = dept(e.step);
        if (!d) break;
        d.reviewed += 1;
        if (e.data.outcome === 'auto_approved') d.autoPassed += 1;
        break;
      }
      case 'order.step_awaiting':
        if (!e.step) break;
        facts.waits += 1;
        dept(e.step);
        waiting.set(e.step, Date.parse(e.at));
        unclaimed.set(e.step, Date.parse(e.at));
        break;
      case 'order.step_claimed':
        // A hand-over (management assigning it) puts the step on a desk; the pickup is that person's answer.
        if (e.data.assignedBy === undefined) pickedUp(e.step, e.at);
        break;
      case 'order.step_decided':
        answered(e.step, e.at);
        break;
      case 'order.step_rechecked':
        if (e.data.outcome === 'auto_approved') answered(e.step, e.at);
        break;
      // A system step (intake) belongs to no department: dept() is null and nothing is counted.
      case 'order.step_reminded': {
        const d = dept(e.step);
        if (d) d.reminders += 1;
        break;
      }
      case 'order.step_escalated': {
        const d = dept(e.step);
        if (d) d.escalations += 1;
        break;
      }
      case 'order.step_timed_out':
        if (e.step) {
          waiting.delete(e.step);
          unclaimed.delete(e.step);
          const d = dept(e.step);
          if (d) d.timeouts += 1;
        }
        break;
      case 'order.changes_requested': {
        const d = dept(e.step ?? str(e.data.step, ''));
        if (d) d.changesRequested += 1;
        break;
      }
      case 'order.amended':
        facts.amendments += 1;
        // The review starts again: whatever waited stops waiting unanswered.
        stopWaiting();
        break;
      default: {
        const outcome = OUTCOMES.find((o) => e.type === `order.${o}`);
        if (outcome && facts.outcome === null) {
          facts.outcome = outcome;
          facts.outcomeAt = e.at;
          facts.cycleMs = Date.parse(e.at) - Date.parse(facts.submittedAt);
          stopWaiting();
        }
      }
    }
  }
  return facts;
}

/** Groups a log (any order of orders, each order's events in log order) into the facts of each submitted order. */
export function factsOfLog(events: readonly KpiEvent[]): OrderFacts[] {
  const byOrder = new Map<string, KpiEvent[]>();
  for (const e of events) {
    if (!e.orderId) continue;
    let list = byOrder.get(e.orderId);
    if (!list) byOrder.set(e.orderId, (list = []));
    list.push(e);
  }
  const out: OrderFacts[] = [];
  for (const list of byOrder.values()) {
    const f = orderFacts(list);
    if (f) out.push(f);
  }
  return out;
}

/** Nearest-rank percentile of `values` (p in 0–100); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** p50 and p90 of durations in ms, as seconds (millisecond precision). */
function secondsQuantiles(ms: readonly number[]): { p50: number | null; p90: number | null } {
  const s = (v: number | null) => (v === null ? null : Math.round(v) / 1000);
  return { p50: s(percentile(ms, 50)), p90: s(percentile(ms, 90)) };
}

export interface DepartmentFigures {
  department: Department;
  stepsReviewed: number;
  autoPassed: number;
  autoPassRate: number | null;
  /** Waits the department answered (the queue-time sample). */
  answered: number;
  queueTimeSeconds: { p50: number | null; p90: number | null };
  /** The sum of the answered waits, in seconds: the hand-off's whole cost in the period. */
  queueTimeTotalSeconds: number;
  /** Waits a person of the department picked up (the pickup-time sample). */
  pickedUp: number;
  /** A step starting to wait → a person of the department taking it up (self-claim or answer). */
  pickupTimeSeconds: { p50: number | null; p90: number | null };
  reminders: number;
  escalations: number;
  timeouts: number;
  changesRequested: number;
}

export interface KpiFigures {
  orders: number;
  outcomes: Record<Outcome | 'open', number>;
  finished: number;
  touchless: number;
  touchlessRate: number | null;
  firstPass: number;
  firstPassRate: number | null;
  cycleTimeSeconds: { p50: number | null; p90: number | null };
  departments: DepartmentFigures[];
}

export function departmentFigures(orders: readonly OrderFacts[], department: Department): DepartmentFigures {
  const all = orders.flatMap((o) => (o.departments[department] ? [o.departments[department]] : []));
  const sum = (f: (d: DepartmentFacts) => number) => all.reduce((n, d) => n + f(d), 0);
  const queueMs = all.flatMap((d) => d.queueMs);
  const pickupMs = all.flatMap((d) => d.pickupMs);
  const reviewed = sum((d) => d.reviewed);
  const autoPassed = sum((d) => d.autoPassed);
  return {
    department,
    stepsReviewed: reviewed,
    autoPassed,
    autoPassRate: rate(autoPassed, reviewed),
    answered: queueMs.length,
    queueTimeSeconds: secondsQuantiles(queueMs),
    queueTimeTotalSeconds: Math.round(queueMs.reduce((n, v) => n + v, 0)) / 1000,
    pickedUp: pickupMs.length,
    pickupTimeSeconds: secondsQuantiles(pickupMs),
    reminders: sum((d) => d.reminders),
    escalations: sum((d) => d.escalations),
    timeouts: sum((d) => d.timeouts),
    changesRequested: sum((d) => d.changesRequested),
  };
}

/** The figures of a set of orders; `departments` limits the per-department part (default: every department). */
export function kpiFigures(orders: readonly OrderFacts[], departments: readonly Department[] = DEPARTMENTS): KpiFigures {
  const outcomes = { approved: 0, rejected: 0, cancelled: 0, expired: 0, open: 0 };
  for (const o of orders) outcomes[o.outcome ?? 'open'] += 1;
  const finished = orders.filter((o) => o.outcome !== null);
  const touchless = finished.filter((o) => o.outcome === 'approved' && o.waits === 0).length;
  const firstPass = finished.filter((o) => o.outcome === 'approved' && o.amendments === 0).length;
  return {
    orders: orders.length,
    outcomes,
    finished: finished.length,
    touchless,
    touchlessRate: rate(touchless, finished.length),
    firstPass,
    firstPassRate: rate(firstPass, finished.length),
    cycleTimeSeconds: secondsQuantiles(finished.map((o) => o.cycleMs!)),
    departments: departments.map((d) => departmentFigures(orders, d)),
  };
}

export interface KpiGroup extends KpiFigures {
  key: string;
}

export interface KpiReport {
  from: string;
  to: string;
  groupBy: KpiGrouping | null;
  /** The zone `day` groups are counted in. */
  timeZone: string;
  totals: KpiFigures;
  groups: KpiGroup[];
}

export interface KpiOptions {
  from: string;
  to: string;
  groupBy?: KpiGrouping | null;
  /** The zone of `day` groups (the policy's calendar zone); default UTC. */
  timeZone?: string;
  /** The customer's tier, for `tier` groups. */
  tierOf?: (customerId: string) => string | undefined;
}

/** Every calendar day of [from, to) in `timeZone`, oldest first. */
export function daysOf(from: string, to: string, timeZone: string): string[] {
  const last = calendarDay(Date.parse(to) - 1, { timeZone });
  const days: string[] = [];
  let day = calendarDay(Date.parse(from), { timeZone });
  while (day <= last && days.length < 1000) {
    days.push(day);
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  return days;
}

/**
 * The report of a period: totals and, with `groupBy`, one group per key. An order counts in one group per grouping,
 * except `department`: there it counts in every department that reviewed it (a step of that department ran its
 * check or waited), and each group shows only its own department — so department groups do not add up to the totals.
 * `day` groups are every day of the period (days without orders too, so a chart over time has no gaps).
 */
export function kpiReport(orders: readonly OrderFacts[], opts: KpiOptions): KpiReport {
  const timeZone = opts.timeZone ?? 'UTC';
  const groupBy = opts.groupBy ?? null;
  const groups: KpiGroup[] = [];
  if (groupBy === 'department') {
    for (const d of DEPARTMENTS) {
      const members = orders.filter((o) => o.departments[d]);
      if (members.length > 0) groups.push({ key: d, ...kpiFigures(members, [d]) });
    }
  } else if (groupBy) {
    const keyOf = (o: OrderFacts): string => {
      if (groupBy === 'channel') return o.channel;
      if (groupBy === 'tier') return opts.tierOf?.(o.customerId) ?? 'unknown';
      return calendarDay(Date.parse(o.submittedAt), { timeZone });
    };
    const byKey = new Map<string, OrderFacts[]>();
    if (groupBy === 'day') for (const day of daysOf(opts.from, opts.to, timeZone)) byKey.set(day, []);
    for (const o of orders) {
      const k = keyOf(o);
      let list = byKey.get(k);
      if (!list) byKey.set(k, (list = []));
      list.push(o);
    }
    const keys = [...byKey.keys()].sort();
    for (const k of keys) groups.push({ key: k, ...kpiFigures(byKey.get(k)!) });
  }
  return { from: opts.from, to: opts.to, groupBy, timeZone, totals: kpiFigures(orders), groups };
}

/** The CSV columns of a report: one row per group (or `all`) and scope (`orders`, or a department). */
export const KPI_CSV_COLUMNS = [
  'group',
  'scope',
  'orders',
  'approved',
  'rejected',
  'cancelled',
  'expired',
  'open',
  'finished',
  'touchless',
  'touchless_rate',
  'first_pass',
  'first_pass_rate',
  'cycle_time_p50_s',
  'cycle_time_p90_s',
  'steps_reviewed',
  'auto_passed',
  'auto_pass_rate',
  'answered',
  'queue_time_p50_s',
  'queue_time_p90_s',
  'reminders',
  'escalations',
  'timeouts',
  'changes_requested',
  // Added in v1.1 after the first columns: readers that go by the header keep working.
  'queue_time_total_s',
  'picked_up',
  'pickup_time_p50_s',
  'pickup_time_p90_s',
] as const;

type CsvRow = Record<(typeof KPI_CSV_COLUMNS)[number], string | number | null>;

function figureRows(group: string, f: KpiFigures): CsvRow[] {
  const blank = Object.fromEntries(KPI_CSV_COLUMNS.map((c) => [c, null])) as CsvRow;
  const orderRow: CsvRow = {
    ...blank,
    group,
    scope: 'orders',
    orders: f.orders,
    ...f.outcomes,
    finished: f.finished,
    touchless: f.touchless,
    touchless_rate: f.touchlessRate,
    first_pass: f.firstPass,
    first_pass_rate: f.firstPassRate,
    cycle_time_p50_s: f.cycleTimeSeconds.p50,
    cycle_time_p90_s: f.cycleTimeSeconds.p90,
  };
  const deptRows = f.departments.map(
    (d): CsvRow => ({
      ...blank,
      group,
      scope: d.department,
      steps_reviewed: d.stepsReviewed,
      auto_passed: d.autoPassed,
      auto_pass_rate: d.autoPassRate,
      answered: d.answered,
      queue_time_p50_s: d.queueTimeSeconds.p50,
      queue_time_p90_s: d.queueTimeSeconds.p90,
      reminders: d.reminders,
      escalations: d.escalations,
      timeouts: d.timeouts,
      changes_requested: d.changesRequested,
      queue_time_total_s: d.queueTimeTotalSeconds,
      picked_up: d.pickedUp,
      pickup_time_p50_s: d.pickupTimeSeconds.p50,
      pickup_time_p90_s: d.pickupTimeSeconds.p90,
    }),
  );
  return [orderRow, ...deptRows];
}

/** The report as CSV rows: the totals (group `all`) first, then each group; empty cells for what has no value. */
export function kpiCsvRows(report: KpiReport): CsvRow[] {
  return [...figureRows('all', report.totals), ...report.groups.flatMap((g) => figureRows(g.key, g))];
}
