// @ts-check
// The dashboard's numbers, without the DOM (unit-tested in Node): who may see it, the period asked for, the KPI
// report (GET /v1/kpis?groupBy=day) turned into chart series, and the order cycle as boxes and hand-offs. Every
// figure is the API's (domain/kpis.ts defines them once); this module only picks, converts units and formats.
import { capitalise, stepLabel } from './labels.js';

/** @typedef {{ p50: number | null, p90: number | null }} Quantiles */
/**
 * @typedef {{
 *   department: string, stepsReviewed: number, autoPassed: number, autoPassRate: number | null, answered: number,
 *   queueTimeSeconds: Quantiles, queueTimeTotalSeconds?: number, pickedUp?: number, pickupTimeSeconds?: Quantiles,
 *   reminders: number, escalations: number, timeouts: number, changesRequested: number
 * }} DepartmentFigures
 */
/**
 * @typedef {{
 *   orders: number, outcomes: { approved: number, rejected: number, cancelled: number, expired: number, open: number },
 *   finished: number, touchless: number, touchlessRate: number | null, firstPass: number, firstPassRate: number | null,
 *   cycleTimeSeconds: Quantiles, departments: DepartmentFigures[]
 * }} KpiFigures
 */
/**
 * GET /v1/kpis (api/schemas/kpis.ts is the authority).
 * @typedef {KpiFigures & { key: string }} KpiGroup
 * @typedef {{ from: string, to: string, groupBy: string | null, timeZone: string, totals: KpiFigures, groups: KpiGroup[], stages?: string[][] }} KpiReport
 */

/** The roles GET /v1/kpis answers; everyone else gets no dashboard entry (and a 403 from the API). */
export const DASHBOARD_ROLES = ['admin', 'auditor', 'approver:management'];
export const PERIODS = [7, 30, 90];
export const DEFAULT_PERIOD = 30;
/** The steps and departments in the order the review runs them (the built-in plan, when the API sends none). */
export const DEFAULT_STAGES = [['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']];
/** @type {Record<string, string>} */
export const STEP_DEPARTMENT = {
  info_check: 'sales',
  credit: 'finance',
  capacity: 'production',
  materials: 'procurement',
  special_requirements: 'engineering',
  final_approval: 'management',
};
export const DEPARTMENTS = ['sales', 'finance', 'production', 'procurement', 'engineering', 'management'];

/** @param {{ roles: string[] } | null | undefined} me */
export function canSeeDashboard(me) {
  return !!me && me.roles.some((r) => DASHBOARD_ROLES.includes(r));
}

/**
 * The days a period selector value stands for: one of PERIODS, else the default.
 * @param {string | null | undefined} raw
 */
export function periodDays(raw) {
  const n = Number(raw);
  return PERIODS.includes(n) ? n : DEFAULT_PERIOD;
}

/**
 * The calendar day of `at` in `timeZone` (YYYY-MM-DD). @param {Date} at @param {string} timeZone
 */
function dayIn(at, timeZone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (/** @type {string} */ type) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The last `days` calendar days up to and including today, as the dates GET /v1/kpis takes. The API reads them in
 * the policy calendar's zone (its reports name it, `timeZone`), and a `to` date includes that whole day, so both are
 * days of that zone, not of the browser's: viewed from a zone behind it, "today" would otherwise lose its last hours.
 * @param {number} days
 * @param {Date} [now]
 * @param {string} [timeZone] the policy calendar's zone (UTC without a calendar)
 */
export function periodDates(days, now = new Date(), timeZone = 'UTC') {
  const to = dayIn(now, timeZone);
  const [y, m, d] = to.split('-').map(Number);
  const from = new Date(Date.UTC(/** @type {number} */ (y), /** @type {number} */ (m) - 1, /** @type {number} */ (d) - (days - 1)));
  return { from: from.toISOString().slice(0, 10), to };
}

/**
 * "42 s", "4.5 min", "3.2 h", "1.5 d": seconds as a reader says them; "—" for no value.
 * @param {number | null | undefined} s
 */
export function formatSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  /** @param {number} v */
  const n = (v) => (v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10));
  if (s < 60) return `${n(s)} s`;
  if (s < 3600) return `${n(s / 60)} min`;
  if (s < 86400) return `${n(s / 3600)} h`;
  return `${n(s / 86400)} d`;
}

/**
 * "75 %" for 0.75; "—" for no value.
 * @param {number | null | undefined} r
 */
export function formatRate(r) {
  if (r === null || r === undefined) return '—';
  return `${Math.round(r * 1000) / 10} %`;
}

/**
 * One unit for a whole chart axis, from its largest value in seconds.
 * @param {number} maxSeconds
 * @returns {{ label: string, div: number }}
 */
export function timeUnit(maxSeconds) {
  if (maxSeconds >= 2 * 86400) return { label: 'days', div: 86400 };
  if (maxSeconds >= 2 * 3600) return { label: 'hours', div: 3600 };
  if (maxSeconds >= 120) return { label: 'minutes', div: 60 };
  return { label: 'seconds', div: 1 };
}

/**
 * @typedef {{ label: string, values: (number | null)[], format: (v: number | null) => string }} Series
 * @typedef {{ id: string, title: string, unit: string, kind: 'rate' | 'time' | 'count', series: Series[] }} ChartSpec
 */

/**
 * The charts over time from a report grouped by day: x is each day's first instant (Unix seconds, UTC midnight of
 * the day's date, so the axis shows the day's own date in UTC); values are per day (null where a day has none).
 * @param {KpiReport} report
 * @returns {{ x: number[], days: string[], charts: ChartSpec[] }}
 */
export function dailyCharts(report) {
  const groups = report.groups;
  const days = groups.map((g) => g.key);
  const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  /** @param {KpiFigures} g @param {string} d */
  const dept = (g, d) => g.departments.find((f) => f.department === d);
  /** @param {(g: KpiFigures) => number | null} pick */
  const col = (pick) => groups.map((g) => pick(g));
  const pct = (/** @type {number | null} */ v) => (v === null ? null : Math.round(v * 1000) / 10);
  const timeMax = (/** @type {(number | null)[][]} */ cols) => Math.max(0, ...cols.flat().map((v) => v ?? 0));

  const cycle = [col((g) => g.cycleTimeSeconds.p50), col((g) => g.cycleTimeSeconds.p90)];
  const cycleUnit = timeUnit(timeMax(cycle));
  const queue = DEPARTMENTS.map((d) => col((g) => dept(g, d)?.queueTimeSeconds.p50 ?? null));
  const queueUnit = timeUnit(timeMax(queue));
  const inUnit = (/** @type {(number | null)[]} */ c, /** @type {number} */ div) => c.map((v) => (v === null ? null : v / div));
  const sum = (/** @type {(d: DepartmentFigures) => number} */ f) => col((g) => g.departments.reduce((n, d) => n + f(d), 0));
  const rateFmt = (/** @type {number | null} */ v) => (v === null ? '—' : `${v} %`);
  /** @param {number} div */
  const timeFmt = (div) => (/** @type {number | null} */ v) => formatSeconds(v === null ? null : v * div);
  const countFmt = (/** @type {number | null} */ v) => (v === null ? '—' : String(v));

  return {
    x,
    days,
    charts: [
      {
        id: 'rates',
        title: 'Touchless and first-pass rate',
        unit: '%',
        kind: 'rate',
        series: [
          { label: 'Touchless', values: col((g) => pct(g.touchlessRate)), format: rateFmt },
          { label: 'First pass', values: col((g) => pct(g.firstPassRate)), format: rateFmt },
        ],
      },
      {
        id: 'cycle',
        title: 'Cycle time (submitted → outcome)',
        unit: cycleUnit.label,
        kind: 'time',
        series: [
          { label: 'p50', values: inUnit(cycle[0] ?? [], cycleUnit.div), format: timeFmt(cycleUnit.div) },
          { label: 'p90', values: inUnit(cycle[1] ?? [], cycleUnit.div), format: timeFmt(cycleUnit.div) },
        ],
      },
      {
        id: 'queue',
        title: 'Queue time p50 per department (waiting → answered)',
        unit: queueUnit.label,
        kind: 'time',
        series: DEPARTMENTS.map((d, i) => ({ label: capitalise(d), values: inUnit(queue[i] ?? [], queueUnit.div), format: timeFmt(queueUnit.div) })),
      },
      {
        id: 'waiting',
        title: 'Reminders, escalations and timeouts',
        unit: 'count',
        kind: 'count',
        series: [
          { label: 'Reminders', values: sum((d) => d.reminders), format: countFmt },
          { label: 'Escalations', values: sum((d) => d.escalations), format: countFmt },
          { label: 'Timeouts', values: sum((d) => d.timeouts), format: countFmt },
        ],
      },
    ],
  };
}

/**
 * @typedef {{
 *   step: string, label: string, department: string, reviewed: number, autoPassed: number, autoPassRate: number | null,
 *   waits: number, pickedUp: number, pickupP50: number | null, queueP50: number | null, queueP90: number | null,
 *   queueTotal: number, share: number | null, dominant: boolean
 * }} CycleStep
 */

/**
 * The order cycle of a period: intake, then the policy's stages (steps of one stage side by side), each step with its
 * touchless share (checks that passed automatically) and the hand-off into it (how long a waiting order sat before a
 * person of the department picked it up, and until it was answered). `dominant` marks the hand-off that held orders
 * longest in total (its `share` of all answered waiting), so the picture says which gap to work on first.
 * @param {KpiReport} report
 * @returns {{ stages: CycleStep[][], totalWaitSeconds: number, orders: number, outcomes: KpiFigures['outcomes'] }}
 */
export function cycleModel(report) {
  const plan = report.stages && report.stages.length > 0 ? report.stages : DEFAULT_STAGES;
  const byDept = new Map(report.totals.departments.map((d) => [d.department, d]));
  const totalWaitSeconds = report.totals.departments.reduce((n, d) => n + (d.queueTimeTotalSeconds ?? 0), 0);
  const dominantDept = [...report.totals.departments]
    .filter((d) => (d.queueTimeTotalSeconds ?? 0) > 0)
    .sort((a, b) => (b.queueTimeTotalSeconds ?? 0) - (a.queueTimeTotalSeconds ?? 0))[0]?.department;
  const stages = plan.map((stage) =>
    stage.map((step) => {
      const department = STEP_DEPARTMENT[step] ?? 'unknown';
      const d = byDept.get(department);
      const queueTotal = d?.queueTimeTotalSeconds ?? 0;
      return {
        step,
        label: stepLabel(step),
        department,
        reviewed: d?.stepsReviewed ?? 0,
        autoPassed: d?.autoPassed ?? 0,
        autoPassRate: d?.autoPassRate ?? null,
        waits: d?.answered ?? 0,
        pickedUp: d?.pickedUp ?? 0,
        pickupP50: d?.pickupTimeSeconds?.p50 ?? null,
        queueP50: d?.queueTimeSeconds.p50 ?? null,
        queueP90: d?.queueTimeSeconds.p90 ?? null,
        queueTotal,
        share: totalWaitSeconds > 0 ? Math.round((queueTotal / totalWaitSeconds) * 1000) / 1000 : null,
        dominant: department === dominantDept,
      };
    }),
  );
  return { stages, totalWaitSeconds, orders: report.totals.orders, outcomes: report.totals.outcomes };
}

/**
 * The hand-off's words on the arrow into a step: "picked up in 12 min" and "answered in 40 min" (p50s), or
 * that nobody had to.
 * @param {CycleStep} s
 * @returns {string[]}
 */
export function handoffLines(s) {
  if (s.waits === 0 && s.pickedUp === 0) return s.reviewed > 0 ? ['no waits'] : ['no orders'];
  return [`picked up in ${formatSeconds(s.pickupP50)}`, `answered in ${formatSeconds(s.queueP50)}`, `p50 of ${s.waits} ${s.waits === 1 ? 'wait' : 'waits'}`];
}
