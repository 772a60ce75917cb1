/**
 * The KPI report through the real API, a real worker and the run's Temporal server, on a second-scale policy:
 * four orders with known fates (touchless; decided by finance and management; timed out; changes requested then
 * amended). Every expected figure is computed here by hand from the orders' audit timelines (the times the log
 * holds), never by the KPI code; the CSV parses to the same numbers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { decodeFacts, encodeFacts, kpiEventsOf } from '../../db/kpi-facts';
import { orderKpiFacts } from '../../db/schema';
import { ORDER_FACTS_VERSION, orderFacts } from '../../domain/kpis';
import { BUILT_IN_POLICY } from '../../domain/policy';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

/** Every human step reminds after 1 s, escalates after 2 s and rejects after 4 s without a decision. */
function policyFile(): string {
  const steps = Object.fromEntries(
    Object.keys(BUILT_IN_POLICY.steps).map((k) => [k, { reminderAfter: '1s', escalateAfter: '2s', timeoutAfter: '4s', onTimeout: 'reject' }]),
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-kpi-policy-')), 'policy.json');
  fs.writeFileSync(file, JSON.stringify({ ...BUILT_IN_POLICY, steps }));
  return file;
}

interface AuditLine {
  at: string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

/** Nearest rank, as section 11 defines the percentiles (written out again here, on purpose). */
function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}
const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);

describe('GET /v1/kpis', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: TestWorker;
  const ids = { touchless: '', decided: '', timedOut: '', amended: '' };
  const audits: Record<string, AuditLine[]> = {};

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, as: TestPrincipalId, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...ctx.auth(as), ...headers }, ...(payload ? { payload } : {}) });
  const view = async (id: string) => (await call('GET', `/v1/orders/${id}`, 'auditor')).json();
  async function until(id: string, predicate: (o: any) => boolean, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let last: any;
    while (Date.now() < deadline) {
      last = await view(id);
      if (predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
  }
  const submit = async (body: Record<string, unknown>) => {
    const res = await call('POST', '/v1/orders', 'shop', body);
    expect(res.statusCode, res.body).toBe(201);
    return body.orderId as string;
  };
  const decide = async (id: string, step: string, as: TestPrincipalId, decision = 'approve', comment?: string) => {
    const res = await call('POST', `/v1/orders/${id}/steps/${step}/decision`, as, { decision, ...(comment ? { comment } : {}) });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    t = await connectTestClient();
    const taskQueue = uniqueTaskQueue('kpis');
    ctx = await createTestApp({ temporal: t.client, taskQueue, env: { REVIEW_POLICY_FILE: policyFile() } });
    worker = await startTestWorker({ taskQueue, activities: createActivities(ctx.db), connection: t.connection });
    const std = await call('PUT', '/v1/customers/C-STD', 'erp', {
      name: 'Standard Customer',
      tier: 'standard',
      creditLimit: '1000000.00',
      openBalance: '0.00',
      allowedPaymentTerms: ['NET30'],
      onHold: false,
    });
    expect(std.statusCode, std.body).toBe(200);

    ids.touchless = await submit(cleanOrder({ customerId: 'C-STD', channel: 'web' }));
    ids.decided = await submit(cleanOrder({ customerId: 'C-SMALL', channel: 'partner' }));
    ids.timedOut = await submit(cleanOrder({ customerId: 'C-SMALL', channel: 'edi' }));
    ids.amended = await submit(cleanOrder({ customerId: 'C-SMALL', channel: 'web' }));

    // Finance claims the second order's credit step, answers it after its reminder; management then approves it.
    await until(ids.decided, (o) => o.awaiting.includes('credit'), 'credit to wait');
    await until(ids.decided, (o) => o.steps.some((s: any) => s.step === 'credit' && s.status === 'awaiting_decision'), 'credit waiting');
    await new Promise((r) => setTimeout(r, 400));
    const claim = await call('POST', `/v1/orders/${ids.decided}/steps/credit/claim`, 'finance');
    expect(claim.statusCode, claim.body).toBe(200);
    await new Promise((r) => setTimeout(r, 900));
    await decide(ids.decided, 'credit', 'finance');
    await until(ids.decided, (o) => o.awaiting.includes('final_approval'), 'final approval to wait');
    await decide(ids.decided, 'final_approval', 'management');

    // Finance sends the fourth back at once; the integrator amends it to a small order for C-BIG, which passes.
    await until(ids.amended, (o) => o.awaiting.includes('credit'), 'credit to wait');
    await decide(ids.amended, 'credit', 'finance2', 'request_changes', 'please reduce the quantity');
    await until(ids.amended, (o) => o.status === 'changes_requested', 'changes requested');
    const { orderId: _omit, ...amendment } = cleanOrder({ customerId: 'C-BIG', channel: 'web' });
    const smaller = { ...amendment, lines: [{ sku: 'BOX-1', quantity: 10, unitPrice: '12.50' }], declaredTotal: '125.00' };
    const amended = await call('POST', `/v1/orders/${ids.amended}/amendments`, 'shop', smaller);
    expect(amended.statusCode, amended.body).toBe(200);

    // Nobody answers the third: reminded, escalated, timed out, rejected.
    for (const id of Object.values(ids)) await until(id, (o) => o.completedAt !== null, `${id} to finish`);
    for (const id of Object.values(ids)) audits[id] = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).json().events;
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  /** What the audit timelines say, by hand. */
  function expected(orderIds: string[]) {
    const lines = orderIds.map((id) => audits[id]!);
    const outcome = (l: AuditLine[]) => l.find((e) => e.type === 'outcome')!;
    const cycle = lines.map((l) => ms(l.find((e) => e.type === 'submitted')!.at, outcome(l).at));
    const approved = lines.filter((l) => outcome(l).detail.status === 'approved');
    const queue = (dept: string, step: string) =>
      lines.flatMap((l) => {
        const waits = l.filter((e) => e.step === step && e.type === 'awaiting_decision');
        return waits.flatMap((w) => {
          const answer = l.find((e) => e.step === step && e.type === 'decision' && e.at >= w.at);
          return answer ? [ms(w.at, answer.at)] : [];
        });
      });
    /** Each picked-up wait: its first self-claim, or else its answer. */
    const pickup = (step: string) =>
      lines.flatMap((l) => {
        const waits = l.filter((e) => e.step === step && e.type === 'awaiting_decision');
        return waits.flatMap((w) => {
          const first = l.find((e) => e.step === step && e.at >= w.at && (e.type === 'decision' || e.type === 'timed_out' || (e.type === 'step_claimed' && !e.detail.assignedBy)));
          return first && first.type !== 'timed_out' ? [ms(w.at, first.at)] : [];
        });
      });
    const count = (type: string, step: string, outcome?: string[]) =>
      lines.reduce((n, l) => n + l.filter((e) => e.type === type && e.step === step && (!outcome || outcome.includes(e.detail.outcome as string))).length, 0);
    return {
      orders: lines.length,
      approved: approved.length,
      touchless: approved.filter((l) => !l.some((e) => e.type === 'awaiting_decision')).length,
      firstPass: approved.filter((l) => !l.some((e) => e.type === 'amended')).length,
      cycleP50: nearestRank(cycle, 50)! / 1000,
      cycleP90: nearestRank(cycle, 90)! / 1000,
      finance: {
        reviewed: count('check_completed', 'credit', ['auto_approved', 'findings']),
        autoPassed: count('check_completed', 'credit', ['auto_approved']),
        queue: queue('finance', 'credit'),
        pickup: pickup('credit'),
        reminders: count('reminder', 'credit'),
        escalations: count('escalated', 'credit'),
        timeouts: count('timed_out', 'credit'),
      },
      management: { queue: queue('management', 'final_approval'), pickup: pickup('final_approval') },
    };
  }

  const factsRow = (id: string) => ctx.db.select().from(orderKpiFacts).where(eq(orderKpiFacts.orderId, id)).get();

  // First, before any report could have computed a row itself.
  it('the workers write each order\'s KPI facts row with its events', () => {
    for (const id of Object.values(ids)) {
      const row = factsRow(id);
      expect(row?.factsVersion, id).toBe(ORDER_FACTS_VERSION);
      expect(decodeFacts(row!.facts!)).toEqual(orderFacts(kpiEventsOf(ctx.db, id)));
    }
    expect(decodeFacts(factsRow(ids.amended)!.facts!)).toMatchObject({ amendments: 1, outcome: 'approved' });
  });

  it('totals equal the figures computed by hand from the audit timelines', async () => {
    const res = await call('GET', '/v1/kpis', 'management');
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    const e = expected(Object.values(ids));
    // Hand-checked fates: 3 approved (one touchless, two with no amendment), 1 rejected by its timeout.
    expect([e.orders, e.approved, e.touchless, e.firstPass]).toEqual([4, 3, 1, 2]);
    expect(r.totals).toMatchObject({
      orders: 4,
      outcomes: { approved: 3, rejected: 1, cancelled: 0, expired: 0, open: 0 },
      finished: 4,
      touchless: 1,
      touchlessRate: 0.25,
      firstPass: 2,
      firstPassRate: 0.5,
      cycleTimeSeconds: { p50: e.cycleP50, p90: e.cycleP90 },
    });
    const finance = r.totals.departments.find((d: any) => d.department === 'finance');
    // Credit ran 5 times: the touchless order's passed, three over-limit orders waited, the amended revision passed.
    expect([e.finance.reviewed, e.finance.autoPassed]).toEqual([5, 2]);
    expect(e.finance.queue).toHaveLength(2);
    expect(e.finance.timeouts).toBe(1);
    expect(e.finance.reminders).toBeGreaterThanOrEqual(2);
    expect(finance).toMatchObject({
      stepsReviewed: e.finance.reviewed,
      autoPassed: e.finance.autoPassed,
      autoPassRate: Math.round((e.finance.autoPassed / e.finance.reviewed) * 10_000) / 10_000,
      answered: 2,
      queueTimeSeconds: { p50: nearestRank(e.finance.queue, 50)! / 1000, p90: nearestRank(e.finance.queue, 90)! / 1000 },
      reminders: e.finance.reminders,
      escalations: e.finance.escalations,
      timeouts: 1,
      changesRequested: 1,
      queueTimeTotalSeconds: e.finance.queue.reduce((n, v) => n + v, 0) / 1000,
      pickedUp: 2,
      pickupTimeSeconds: { p50: nearestRank(e.finance.pickup, 50)! / 1000, p90: nearestRank(e.finance.pickup, 90)! / 1000 },
    });
    // The claimed wait was picked up at its claim, before its answer.
    const d = audits[ids.decided]!;
    const atOf = (type: string) => d.find((l) => l.step === 'credit' && l.type === type)!.at;
    const claimedAfter = ms(atOf('awaiting_decision'), atOf('step_claimed'));
    expect(e.finance.pickup).toHaveLength(2);
    expect(e.finance.pickup).toContain(claimedAfter);
    expect(claimedAfter).toBeLessThan(ms(atOf('awaiting_decision'), atOf('decision')));
    expect(r.stages).toEqual([['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']]);
    expect(r.totals.departments.find((d: any) => d.department === 'management')).toMatchObject({
      answered: 1,
      queueTimeSeconds: { p50: e.management.queue[0]! / 1000, p90: e.management.queue[0]! / 1000 },
      pickedUp: 1,
      pickupTimeSeconds: { p50: e.management.pickup[0]! / 1000, p90: e.management.pickup[0]! / 1000 },
    });
    // The timed-out order waited at least its 4 s; cycle times are real seconds, not zeros.
    expect(e.cycleP90).toBeGreaterThanOrEqual(4);
  });

  it('groups by channel, tier, day and department', async () => {
    const byChannel = (await call('GET', '/v1/kpis?groupBy=channel', 'auditor')).json();
    expect(byChannel.groups.map((g: any) => [g.key, g.orders])).toEqual([
      ['edi', 1],
      ['partner', 1],
      ['web', 2],
    ]);
    const web = expected([ids.touchless, ids.amended]);
    expect(byChannel.groups.find((g: any) => g.key === 'web')).toMatchObject({
      touchlessRate: 0.5,
      firstPassRate: 0.5,
      cycleTimeSeconds: { p50: web.cycleP50, p90: web.cycleP90 },
    });

    const byTier = (await call('GET', '/v1/kpis?groupBy=tier', 'admin')).json();
    expect(byTier.groups.map((g: any) => [g.key, g.orders])).toEqual([
      ['standard', 1],
      ['vip', 3],
    ]);

    const today = new Date().toISOString().slice(0, 10);
    const byDay = (await call('GET', `/v1/kpis?groupBy=day&from=${today}&to=${today}`, 'admin')).json();
    expect(byDay).toMatchObject({ timeZone: 'UTC', from: `${today}T00:00:00.000Z`, groups: [{ key: today, orders: 4 }] });

    const byDept = (await call('GET', '/v1/kpis?groupBy=department', 'admin')).json();
    const mgmt = byDept.groups.find((g: any) => g.key === 'management');
    expect(mgmt.departments.map((d: any) => d.department)).toEqual(['management']);
    // The timed-out order was rejected at credit, before final approval: management reviewed the other three.
    expect(mgmt.orders).toBe(3);
    expect(byDept.groups.find((g: any) => g.key === 'finance').orders).toBe(4);
  });

  it('a period with none of the orders has zero counts and no rates', async () => {
    const r = (await call('GET', '/v1/kpis?from=2020-01-01&to=2020-01-31', 'auditor')).json();
    expect(r.totals).toMatchObject({ orders: 0, finished: 0, touchlessRate: null, cycleTimeSeconds: { p50: null, p90: null } });
  });

  it('CSV (Accept: text/csv, or format=csv) parses to the same numbers', async () => {
    const json = (await call('GET', '/v1/kpis?groupBy=channel', 'management')).json();
    const res = await call('GET', '/v1/kpis?groupBy=channel', 'management', undefined, { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    const total = rows.find((r) => r.group === 'all' && r.scope === 'orders')!;
    expect(Number(total.orders)).toBe(json.totals.orders);
    expect(Number(total.touchless_rate)).toBe(json.totals.touchlessRate);
    expect(Number(total.first_pass_rate)).toBe(json.totals.firstPassRate);
    expect(Number(total.cycle_time_p50_s)).toBe(json.totals.cycleTimeSeconds.p50);
    expect(Number(total.cycle_time_p90_s)).toBe(json.totals.cycleTimeSeconds.p90);
    const finance = rows.find((r) => r.group === 'all' && r.scope === 'finance')!;
    const jf = json.totals.departments.find((d: any) => d.department === 'finance');
    expect(Number(finance.queue_time_p50_s)).toBe(jf.queueTimeSeconds.p50);
    expect(Number(finance.timeouts)).toBe(jf.timeouts);
    expect(Number(finance.reminders)).toBe(jf.reminders);
    expect(Number(finance.pickup_time_p50_s)).toBe(jf.pickupTimeSeconds.p50);
    expect(Number(finance.picked_up)).toBe(jf.pickedUp);
    expect(Number(finance.queue_time_total_s)).toBe(jf.queueTimeTotalSeconds);
    expect(rows.filter((r) => r.scope === 'orders').map((r) => [r.group, Number(r.orders)])).toEqual([
      ['all', 4],
      ['edi', 1],
      ['partner', 1],
      ['web', 2],
    ]);
    const viaQuery = await call('GET', '/v1/kpis?groupBy=channel&format=csv', 'auditor');
    expect(viaQuery.headers['content-type']).toMatch(/^text\/csv/);
    expect(viaQuery.body).toBe(res.body);
    // JSON stays the default, also for */* and when JSON is preferred.
    const star = await call('GET', '/v1/kpis', 'auditor', undefined, { accept: 'text/csv;q=0.5, application/json' });
    expect(star.headers['content-type']).toMatch(/^application\/json/);
  });

  it('the OpenAPI description has the v1.1 hand-off figures and the stages', async () => {
    const spec = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const text = JSON.stringify(spec);
    expect(spec.paths['/v1/kpis'].get).toBeDefined();
    for (const field of ['pickupTimeSeconds', 'pickedUp', 'queueTimeTotalSeconds', 'stages']) expect(text).toContain(`"${field}"`);
  });

  it('is for management, auditors and admins; a bad period is a 400 with field errors', async () => {
    for (const as of ['finance', 'shop', 'erp', 'sales'] as const) {
      const res = await call('GET', '/v1/kpis', as);
      expect(res.statusCode, as).toBe(403);
    }
    const reversed = await call('GET', '/v1/kpis?from=2026-12-10&to=2026-12-01', 'admin');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().errors).toEqual([{ path: 'from', message: 'must be before `to`' }]);
    expect((await call('GET', '/v1/kpis?from=2020-01-01&to=2026-01-01', 'admin')).statusCode).toBe(400);
    const bad = await call('GET', '/v1/kpis?groupBy=week&from=yesterday', 'admin');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['from', 'groupBy']);
  });
  // A period of fixed bounds, so two answers of the same data are the same bytes.
  const today = () => new Date().toISOString().slice(0, 10);
  const todayReport = async () => {
    const res = await call('GET', `/v1/kpis?groupBy=channel&from=${today()}&to=${today()}`, 'admin');
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };

  it('a database without facts rows (from before migration 0011) answers the same, and has the rows after', async () => {
    const before = await todayReport();
    ctx.db.delete(orderKpiFacts).run();
    expect(await todayReport()).toBe(before);
    for (const id of Object.values(ids)) expect(factsRow(id)?.factsVersion, id).toBe(ORDER_FACTS_VERSION);
  });

  it('a row computed by older rules is recomputed before it counts', async () => {
    const before = await todayReport();
    // As if an older version of the rules had not counted the amendment (it would be first pass).
    const facts = orderFacts(kpiEventsOf(ctx.db, ids.amended))!;
    ctx.db
      .update(orderKpiFacts)
      .set({ factsVersion: ORDER_FACTS_VERSION - 1, facts: encodeFacts({ ...facts, amendments: 0 }) })
      .where(eq(orderKpiFacts.orderId, ids.amended))
      .run();
    expect(await todayReport()).toBe(before);
    expect(factsRow(ids.amended)?.factsVersion).toBe(ORDER_FACTS_VERSION);
    expect(decodeFacts(factsRow(ids.amended)!.facts!).amendments).toBe(1);
  });

  // Last: it adds a fifth order to the period.
  it('an order reviewed after a report counts in the next one', async () => {
    const before = (await call('GET', '/v1/kpis', 'admin')).json();
    expect(before.totals).toMatchObject({ orders: 4, touchless: 1 });
    const id = await submit(cleanOrder({ customerId: 'C-STD', channel: 'edi' }));
    await until(id, (o) => o.completedAt !== null, `${id} to finish`);
    expect(decodeFacts(factsRow(id)!.facts!)).toMatchObject({ orderId: id, outcome: 'approved', waits: 0 });
    const after = (await call('GET', '/v1/kpis?groupBy=channel', 'admin')).json();
    expect(after.totals).toMatchObject({ orders: 5, outcomes: { approved: 4, rejected: 1 }, touchless: 2, firstPass: 3 });
    expect(after.groups.find((g: { key: string }) => g.key === 'edi')).toMatchObject({ orders: 2, touchless: 1 });
  });
});
