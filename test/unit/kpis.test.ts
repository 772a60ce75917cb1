/**
 * The KPIs of section 11 on a hand-made log of four orders whose timings are known; every expected value below is
 * computed by hand from the timeline in the comments (minutes after T0), not by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { factsOfLog, type KpiEvent, kpiCsvRows, kpiFigures, kpiReport, percentile } from '../../domain/kpis';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const ev = (orderId: string, min: number, type: string, step: string | null = null, data: Record<string, unknown> = {}): KpiEvent => ({
  orderId,
  type,
  at: at(min),
  step,
  data,
});
const submitted = (id: string, min: number, channel: string, customerId: string) =>
  ev(id, min, 'order.submitted', 'intake', { channel, customerId, priority: 'normal', revision: 1 });
const check = (id: string, min: number, step: string, outcome: string) => ev(id, min, 'order.check_completed', step, { outcome, findings: [] });

/*
 * A (web, C-1): every check passes, approved at 1 → touchless, first pass, cycle 60 s.
 * B (partner, C-2): credit waits 1→10 (reminded at 2), final approval waits 10→30 (escalated at 20), approved at 30
 *   → first pass, not touchless, cycle 1800 s; finance queue 540 s, management queue 1200 s.
 * C (web, C-1): info_check waits 0→5, changes requested; amended at 15; info_check passes; credit waits from 16,
 *   times out at 76, rejected → cycle 4560 s; sales queue 300 s.
 * D (edi, C-3, next day at 01:00): info_check passes, credit waits: still open.
 * E: no submission logged (its review has not started): not counted.
 */
const LOG: KpiEvent[] = [
  submitted('A', 0, 'web', 'C-1'),
  check('A', 0, 'info_check', 'auto_approved'),
  check('A', 0, 'credit', 'auto_approved'),
  check('A', 0, 'capacity', 'auto_approved'),
  check('A', 0, 'materials', 'auto_approved'),
  check('A', 0, 'special_requirements', 'skipped'),
  check('A', 1, 'final_approval', 'auto_approved'),
  ev('A', 1, 'order.approved', 'final_approval', { status: 'approved' }),

  submitted('B', 0, 'partner', 'C-2'),
  check('B', 0, 'info_check', 'auto_approved'),
  check('B', 1, 'credit', 'findings'),
  ev('B', 1, 'order.step_awaiting', 'credit', { department: 'finance' }),
  check('B', 1, 'capacity', 'auto_approved'),
  check('B', 1, 'materials', 'auto_approved'),
  ev('B', 2, 'order.step_reminded', 'credit'),
  ev('B', 10, 'order.step_decided', 'credit', { decision: 'approve' }),
  check('B', 10, 'final_approval', 'findings'),
  ev('B', 10, 'order.step_awaiting', 'final_approval', { department: 'management' }),
  ev('B', 20, 'order.step_escalated', 'final_approval'),
  ev('B', 30, 'order.step_decided', 'final_approval', { decision: 'approve' }),
  ev('B', 30, 'order.approved', 'final_approval', { status: 'approved' }),

  submitted('C', 0, 'web', 'C-1'),
  check('C', 0, 'info_check', 'findings'),
  ev('C', 0, 'order.step_awaiting', 'info_check', { department: 'sales' }),
  ev('C', 5, 'order.step_decided', 'info_check', { decision: 'request_changes' }),
  ev('C', 5, 'order.changes_requested', 'info_check', { step: 'info_check' }),
  ev('C', 15, 'order.amended', null, { revision: 2 }),
  check('C', 15, 'info_check', 'auto_approved'),
  check('C', 16, 'credit', 'findings'),
  ev('C', 16, 'order.step_awaiting', 'credit', { department: 'finance' }),
  ev('C', 76, 'order.step_timed_out', 'credit', { onTimeout: 'reject' }),
  ev('C', 76, 'order.rejected', 'credit', { status: 'rejected' }),

  submitted('D', 25 * 60, 'edi', 'C-3'),
  check('D', 25 * 60, 'info_check', 'auto_approved'),
  check('D', 25 * 60, 'credit', 'findings'),
  ev('D', 25 * 60, 'order.step_awaiting', 'credit', { department: 'finance' }),

  ev('E', 0, 'order.check_completed', 'intake', { outcome: 'auto_approved' }),
];

const facts = factsOfLog(LOG);
const dept = (figures: ReturnType<typeof kpiFigures>, d: string) => figures.departments.find((x) => x.department === d);

describe('percentile (nearest rank)', () => {
  it('is an observed value', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });
});

describe('order figures', () => {
  const t = kpiFigures(facts);

  it('counts the submitted orders by outcome', () => {
    expect(t.orders).toBe(4);
    expect(t.outcomes).toEqual({ approved: 2, rejected: 1, cancelled: 0, expired: 0, open: 1 });
    expect(t.finished).toBe(3);
  });

  it('touchless: approved with no step waiting for a person (1 of 3 finished)', () => {
    expect(t.touchless).toBe(1);
    expect(t.touchlessRate).toBe(0.3333);
  });

  it('first pass: approved with no amendment (2 of 3 finished)', () => {
    expect(t.firstPass).toBe(2);
    expect(t.firstPassRate).toBe(0.6667);
  });

  it('cycle time: submitted → outcome of finished orders (60, 1800, 4560 s)', () => {
    expect(t.cycleTimeSeconds).toEqual({ p50: 1800, p90: 4560 });
  });
});

describe('department figures', () => {
  const t = kpiFigures(facts);

  it('sales: 5 checks, 4 automatic; one queue of 300 s; one change request', () => {
    expect(dept(t, 'sales')).toEqual({
      department: 'sales',
      stepsReviewed: 5,
      autoPassed: 4,
      autoPassRate: 0.8,
      answered: 1,
      queueTimeSeconds: { p50: 300, p90: 300 },
      queueTimeTotalSeconds: 300,
      pickedUp: 1,
      pickupTimeSeconds: { p50: 300, p90: 300 },
      reminders: 0,
      escalations: 0,
      timeouts: 0,
      changesRequested: 1,
    });
  });

  it('finance: 4 checks, 1 automatic; one answered wait (540 s), one reminder, one timeout; D still waits', () => {
    expect(dept(t, 'finance')).toMatchObject({
      stepsReviewed: 4,
      autoPassed: 1,
      autoPassRate: 0.25,
      answered: 1,
      queueTimeSeconds: { p50: 540, p90: 540 },
      reminders: 1,
      escalations: 0,
      timeouts: 1,
      changesRequested: 0,
    });
  });

  it('management: 2 final approvals, 1 automatic, 1200 s queue, 1 escalation', () => {
    expect(dept(t, 'management')).toMatchObject({ stepsReviewed: 2, autoPassRate: 0.5, queueTimeSeconds: { p50: 1200, p90: 1200 }, escalations: 1 });
  });

  it('a department with no checks has counts of 0 and no rates (skipped steps are not reviews)', () => {
    expect(dept(t, 'engineering')).toMatchObject({ stepsReviewed: 0, autoPassRate: null, answered: 0, queueTimeSeconds: { p50: null, p90: null } });
    expect(dept(t, 'production')).toMatchObject({ stepsReviewed: 2, autoPassed: 2, autoPassRate: 1 });
  });

  it('a recheck that passes answers the wait', () => {
    const log = [
      submitted('R', 0, 'web', 'C-1'),
      check('R', 0, 'materials', 'findings'),
      ev('R', 0, 'order.step_awaiting', 'materials'),
      ev('R', 3, 'order.step_rechecked', 'materials', { outcome: 'findings' }),
      ev('R', 7, 'order.step_rechecked', 'materials', { outcome: 'auto_approved' }),
    ];
    expect(dept(kpiFigures(factsOfLog(log)), 'procurement')).toMatchObject({ answered: 1, queueTimeSeconds: { p50: 420, p90: 420 } });
  });

  it('a reminder, escalation or timeout logged on a system step (intake) counts for no department and breaks nothing', () => {
    const log = [
      submitted('S', 0, 'web', 'C-1'),
      ev('S', 1, 'order.step_reminded', 'intake'),
      ev('S', 2, 'order.step_escalated', 'intake'),
      ev('S', 3, 'order.step_timed_out', 'intake'),
      ev('S', 4, 'order.approved', 'final_approval', { status: 'approved' }),
    ];
    const [facts] = factsOfLog(log);
    expect(facts?.outcome).toBe('approved');
    expect(facts?.departments).toEqual({});
  });
});

describe('hand-offs: pickup time and total queue time', () => {
  /*
   * P: credit waits 0→10; fin-1 claims it at 2, releases it at 3, fin-2 claims at 4; decided at 10
   *   → pickup 120 s (the first claim), queue 600 s.
   * Q: credit waits 0→30; management hands it to fin-2 at 5 (an assignment, no pickup); fin-2 decides at 30
   *   → pickup 1800 s (the answer), queue 1800 s.
   * S: credit waits 0; nobody claims it; times out at 60 → neither a pickup nor an answered wait.
   * U: credit waits 0, claimed at 7, then the customer cancels at 8 → pickup 420 s, no answered wait.
   * Finance: pickups 120, 420, 1800 → p50 420, p90 1800; queue 600, 1800 → p50 600, p90 1800, total 2400 s.
   */
  const waitCredit = (id: string) => [submitted(id, 0, 'web', 'C-1'), check(id, 0, 'credit', 'findings'), ev(id, 0, 'order.step_awaiting', 'credit')];
  const log: KpiEvent[] = [
    ...waitCredit('P'),
    ev('P', 2, 'order.step_claimed', 'credit', { claimedBy: 'fin-1' }),
    ev('P', 3, 'order.step_unclaimed', 'credit', { released: 'fin-1' }),
    ev('P', 4, 'order.step_claimed', 'credit', { claimedBy: 'fin-2' }),
    ev('P', 10, 'order.step_decided', 'credit', { decision: 'approve' }),
    ...waitCredit('Q'),
    ev('Q', 5, 'order.step_claimed', 'credit', { claimedBy: 'fin-2', assignedBy: 'mgmt-1' }),
    ev('Q', 30, 'order.step_decided', 'credit', { decision: 'approve' }),
    ...waitCredit('S'),
    ev('S', 60, 'order.step_timed_out', 'credit', { onTimeout: 'reject' }),
    ev('S', 60, 'order.rejected', 'credit', { status: 'rejected' }),
    ...waitCredit('U'),
    ev('U', 7, 'order.step_claimed', 'credit', { claimedBy: 'fin-1' }),
    ev('U', 8, 'order.cancelled', null, { status: 'cancelled' }),
  ];

  it('picked up at the first self-claim, or at the answer; timeouts are neither', () => {
    expect(dept(kpiFigures(factsOfLog(log)), 'finance')).toMatchObject({
      answered: 2,
      queueTimeSeconds: { p50: 600, p90: 1800 },
      queueTimeTotalSeconds: 2400,
      pickedUp: 3,
      pickupTimeSeconds: { p50: 420, p90: 1800 },
      timeouts: 1,
    });
  });

  it('the four-order log: finance picked up B at its answer (540 s), management B at 1200 s; D is still unclaimed', () => {
    const t = kpiFigures(facts);
    expect(dept(t, 'finance')).toMatchObject({ pickedUp: 1, pickupTimeSeconds: { p50: 540, p90: 540 }, queueTimeTotalSeconds: 540 });
    expect(dept(t, 'management')).toMatchObject({ pickedUp: 1, pickupTimeSeconds: { p50: 1200, p90: 1200 }, queueTimeTotalSeconds: 1200 });
    expect(dept(t, 'engineering')).toMatchObject({ pickedUp: 0, pickupTimeSeconds: { p50: null, p90: null }, queueTimeTotalSeconds: 0 });
  });
});

describe('groups', () => {
  const from = '2026-12-01T00:00:00.000Z';
  const to = '2026-12-04T00:00:00.000Z';

  it('by channel: each order in its channel', () => {
    const r = kpiReport(facts, { from, to, groupBy: 'channel' });
    expect(r.groups.map((g) => [g.key, g.orders])).toEqual([
      ['edi', 1],
      ['partner', 1],
      ['web', 2],
    ]);
    const web = r.groups.find((g) => g.key === 'web')!;
    expect(web).toMatchObject({ finished: 2, touchlessRate: 0.5, firstPassRate: 0.5, cycleTimeSeconds: { p50: 60, p90: 4560 } });
  });

  it('by tier: the customer tier the caller looks up', () => {
    const tiers: Record<string, string> = { 'C-1': 'vip', 'C-2': 'standard' };
    const r = kpiReport(facts, { from, to, groupBy: 'tier', tierOf: (c) => tiers[c] });
    expect(r.groups.map((g) => [g.key, g.orders])).toEqual([
      ['standard', 1],
      ['unknown', 1],
      ['vip', 2],
    ]);
  });

  it('by department: every order its department reviewed, with only that department', () => {
    const r = kpiReport(facts, { from, to, groupBy: 'department' });
    expect(r.groups.map((g) => [g.key, g.orders])).toEqual([
      ['sales', 4],
      ['finance', 4],
      ['production', 2],
      ['procurement', 2],
      ['management', 2],
    ]);
    const mgmt = r.groups.find((g) => g.key === 'management')!;
    expect(mgmt.departments.map((d) => d.department)).toEqual(['management']);
    expect(mgmt.cycleTimeSeconds).toEqual({ p50: 60, p90: 1800 });
  });

  it('by day: every day of the period, empty ones too, in the given zone', () => {
    const r = kpiReport(facts, { from, to, groupBy: 'day' });
    expect(r.groups.map((g) => [g.key, g.orders])).toEqual([
      ['2026-12-01', 3],
      ['2026-12-02', 1],
      ['2026-12-03', 0],
    ]);
    expect(r.groups[2]).toMatchObject({ touchlessRate: null, cycleTimeSeconds: { p50: null, p90: null } });
    // 2026-12-01T23:30Z is already 12-02 in Shanghai (UTC+8).
    const late = factsOfLog([submitted('L', 23.5 * 60, 'web', 'C-1')]);
    const sh = kpiReport(late, { from, to: '2026-12-03T00:00:00.000Z', groupBy: 'day', timeZone: 'Asia/Shanghai' });
    expect(sh.groups.find((g) => g.orders === 1)?.key).toBe('2026-12-02');
  });

  it('no grouping: totals only', () => {
    const r = kpiReport(facts, { from, to });
    expect(r).toMatchObject({ groupBy: null, groups: [], timeZone: 'UTC', totals: { orders: 4 } });
  });
});

describe('CSV rows', () => {
  it('the totals first (group all), one order row and one row per department, the same numbers', () => {
    const rows = kpiCsvRows(kpiReport(facts, { from: '2026-12-01T00:00:00.000Z', to: '2026-12-04T00:00:00.000Z', groupBy: 'channel' }));
    expect(rows[0]).toMatchObject({ group: 'all', scope: 'orders', orders: 4, touchless_rate: 0.3333, cycle_time_p90_s: 4560, steps_reviewed: null });
    expect(rows.find((r) => r.group === 'all' && r.scope === 'finance')).toMatchObject({
      queue_time_p50_s: 540,
      timeouts: 1,
      orders: null,
      queue_time_total_s: 540,
      picked_up: 1,
      pickup_time_p50_s: 540,
    });
    expect(rows.filter((r) => r.scope === 'orders').map((r) => r.group)).toEqual(['all', 'edi', 'partner', 'web']);
    expect(rows).toHaveLength(4 * 7);
  });
});
