/**
 * The dashboard's numbers (api/console/public/dashboard-data.js): who sees it, the period it asks for, how it words
 * times and rates, the charts' series from a day-grouped report, and the cycle model with its largest hand-off. The
 * browser test checks the page against the API; this checks the cases on a hand-made report.
 */
import { describe, expect, it } from 'vitest';
import {
  canSeeDashboard,
  cycleModel,
  dailyCharts,
  formatRate,
  formatSeconds,
  handoffLines,
  type KpiReport,
  periodDates,
  periodDays,
  timeUnit,
} from '../../api/console/public/dashboard-data.js';

const DEPTS = ['sales', 'finance', 'production', 'procurement', 'engineering', 'management'];
type Dept = KpiReport['totals']['departments'][number];

function dept(department: string, extra: Partial<Dept> = {}): Dept {
  return {
    department, stepsReviewed: 0, autoPassed: 0, autoPassRate: null, answered: 0, queueTimeSeconds: { p50: null, p90: null },
    queueTimeTotalSeconds: 0, pickedUp: 0, pickupTimeSeconds: { p50: null, p90: null }, reminders: 0, escalations: 0,
    timeouts: 0, changesRequested: 0, ...extra,
  };
}

function figures(extra: Partial<KpiReport['totals']> = {}, depts: Partial<Record<string, Partial<Dept>>> = {}): KpiReport['totals'] {
  return {
    orders: 0, outcomes: { approved: 0, rejected: 0, cancelled: 0, expired: 0, open: 0 }, finished: 0, touchless: 0,
    touchlessRate: null, firstPass: 0, firstPassRate: null, cycleTimeSeconds: { p50: null, p90: null },
    departments: DEPTS.map((d) => dept(d, depts[d])), ...extra,
  };
}

describe('who sees the dashboard', () => {
  it('management, auditors and admins; nobody else', () => {
    expect(canSeeDashboard({ roles: ['approver:management'] })).toBe(true);
    expect(canSeeDashboard({ roles: ['auditor'] })).toBe(true);
    expect(canSeeDashboard({ roles: ['admin'] })).toBe(true);
    expect(canSeeDashboard({ roles: ['approver:finance', 'approver:sales'] })).toBe(false);
    expect(canSeeDashboard({ roles: ['integrator'] })).toBe(false);
    expect(canSeeDashboard(null)).toBe(false);
  });
});

describe('period', () => {
  it("7, 30 or 90 days (else 30), ending today in the policy's zone, not the browser's", () => {
    expect([periodDays('7'), periodDays('90'), periodDays('12'), periodDays(null)]).toEqual([7, 90, 30, 30]);
    const now = new Date('2026-03-03T15:00:00Z');
    expect(periodDates(7, now)).toEqual({ from: '2026-02-25', to: '2026-03-03' });
    expect(periodDates(30, now)).toEqual({ from: '2026-02-02', to: '2026-03-03' });
    // 20:00 in New York on 2 March is already 3 March in UTC, and 4:00 on 3 March in Shanghai.
    const evening = new Date('2026-03-03T01:00:00Z');
    expect(periodDates(7, evening, 'UTC')).toEqual({ from: '2026-02-25', to: '2026-03-03' });
    expect(periodDates(1, evening, 'Asia/Shanghai')).toEqual({ from: '2026-03-03', to: '2026-03-03' });
    expect(periodDates(7, evening, 'America/New_York')).toEqual({ from: '2026-02-24', to: '2026-03-02' });
  });
});

describe('words for times and rates', () => {
  it('seconds, minutes, hours, days; one decimal below ten', () => {
    expect([formatSeconds(null), formatSeconds(0), formatSeconds(1.55), formatSeconds(42), formatSeconds(270)]).toEqual(['—', '0 s', '1.6 s', '42 s', '4.5 min']);
    expect([formatSeconds(3 * 3600), formatSeconds(36 * 3600), formatSeconds(3 * 86400)]).toEqual(['3 h', '1.5 d', '3 d']);
    expect([formatRate(null), formatRate(0.3333), formatRate(1)]).toEqual(['—', '33.3 %', '100 %']);
  });

  it('one unit per chart axis, from its largest value', () => {
    expect(timeUnit(90).label).toBe('seconds');
    expect(timeUnit(600)).toEqual({ label: 'minutes', div: 60 });
    expect(timeUnit(5 * 3600)).toEqual({ label: 'hours', div: 3600 });
    expect(timeUnit(3 * 86400)).toEqual({ label: 'days', div: 86400 });
  });
});

describe('charts per day', () => {
  const report: KpiReport = {
    from: '2026-12-01T00:00:00.000Z', to: '2026-12-03T00:00:00.000Z', groupBy: 'day', timeZone: 'UTC', totals: figures(),
    groups: [
      { key: '2026-12-01', ...figures({ touchlessRate: 0.25, firstPassRate: 0.5, cycleTimeSeconds: { p50: 1800, p90: 7200 } }, { finance: { queueTimeSeconds: { p50: 600, p90: 900 }, reminders: 2, timeouts: 1 }, management: { escalations: 1 } }) },
      { key: '2026-12-02', ...figures() },
    ],
  };
  const { x, charts } = dailyCharts(report);

  it('x is each day at 00:00 UTC in seconds; a day without orders is a gap (null), counts are 0', () => {
    expect(x).toEqual([Date.parse('2026-12-01T00:00:00Z') / 1000, Date.parse('2026-12-02T00:00:00Z') / 1000]);
    const [rates, cycle, queue, waiting] = charts;
    expect(rates!.series.map((s) => s.values)).toEqual([[25, null], [50, null]]);
    // The largest cycle time is 2 h: the axis is in hours.
    expect(cycle!.unit).toBe('hours');
    expect(cycle!.series.map((s) => s.values)).toEqual([[0.5, null], [2, null]]);
    expect(cycle!.series[0]!.format(0.5)).toBe('30 min');
    expect(queue!.unit).toBe('minutes');
    expect(queue!.series.find((s) => s.label === 'Finance')!.values).toEqual([10, null]);
    expect(waiting!.series.map((s) => [s.label, s.values])).toEqual([
      ['Reminders', [2, 0]],
      ['Escalations', [1, 0]],
      ['Timeouts', [1, 0]],
    ]);
  });
});

describe('the cycle model', () => {
  const report: KpiReport = {
    from: '', to: '', groupBy: 'day', timeZone: 'UTC', groups: [],
    stages: [['info_check', 'credit'], ['final_approval']],
    totals: figures({ orders: 5 }, {
      sales: { stepsReviewed: 5, autoPassed: 5, autoPassRate: 1 },
      finance: { stepsReviewed: 5, autoPassed: 2, autoPassRate: 0.4, answered: 3, pickedUp: 3, queueTimeSeconds: { p50: 3600, p90: 7200 }, pickupTimeSeconds: { p50: 600, p90: 900 }, queueTimeTotalSeconds: 12_600 },
      management: { stepsReviewed: 5, autoPassed: 4, autoPassRate: 0.8, answered: 1, pickedUp: 1, queueTimeSeconds: { p50: 1400, p90: 1400 }, pickupTimeSeconds: { p50: 1400, p90: 1400 }, queueTimeTotalSeconds: 1400 },
    }),
  };
  const model = cycleModel(report);

  it('follows the policy stages, each step with its department figures; the largest total wait is marked with its share', () => {
    expect(model.stages.map((s) => s.map((x) => x.step))).toEqual([['info_check', 'credit'], ['final_approval']]);
    const credit = model.stages[0]![1]!;
    expect(credit).toMatchObject({ department: 'finance', autoPassRate: 0.4, waits: 3, pickupP50: 600, queueP50: 3600, share: 0.9, dominant: true });
    expect(model.stages[1]![0]).toMatchObject({ department: 'management', share: 0.1, dominant: false });
    expect(model.totalWaitSeconds).toBe(14_000);
    expect(handoffLines(credit)).toEqual(['picked up in 10 min', 'answered in 1 h', 'p50 of 3 waits']);
    expect(handoffLines(model.stages[0]![0]!)).toEqual(['no waits']);
  });

  it('without stages from the API: the built-in plan; without any wait: nothing is marked', () => {
    const bare = cycleModel({ ...report, stages: undefined, totals: figures() });
    expect(bare.stages.map((s) => s.length)).toEqual([1, 4, 1]);
    expect(bare.stages.flat().some((s) => s.dominant)).toBe(false);
    expect(handoffLines(bare.stages[1]![0]!)).toEqual(['no orders']);
  });
});
