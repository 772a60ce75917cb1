/**
 * The KPI report from the per-order facts rows (db/kpi-facts.ts) is the report from the raw log: for random logs of
 * random orders, written in random chunks the way the writers append them (each chunk's transaction refreshing the
 * order's row when it holds a KPI event), with some rows then deleted or marked as computed by older rules, the
 * report `kpisOf` answers is the same JSON as `kpiReport(factsOfLog(…))` over the period's events — what the
 * handler computed before the facts rows existed, read here with its own query. And a reminder on a system step
 * (which once made the rules throw) is written and reported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kpisOf } from '../../api/services/kpis';
import { closeDatabase, type Db, openDatabase, writeTx } from '../../db/client';
import { appendEvents, orderStream } from '../../db/events';
import { decodeFacts, kpiFactsOfPeriod, refreshKpiFacts } from '../../db/kpi-facts';
import { customers, orderEvents, orderKpiFacts, orders } from '../../db/schema';
import type { EventType } from '../../domain/events';
import {
  factsOfLog,
  isKpiEventType,
  KPI_EVENT_TYPES,
  KPI_GROUPINGS,
  type KpiGrouping,
  kpiReport,
  ORDER_FACTS_VERSION,
  orderFacts,
} from '../../domain/kpis';
import { STEP_IDS, type StepId } from '../../domain/types';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const PERIOD = { from: new Date(T0).toISOString(), to: new Date(T0 + 3 * 86_400_000).toISOString() };

/** What the handler ran before the facts rows: every KPI event of the period's orders, reduced by factsOfLog. */
function reportFromLog(db: Db, groupBy: KpiGrouping | undefined, timeZone: string) {
  const inPeriod = db
    .select({ id: orders.orderId })
    .from(orders)
    .where(and(gte(orders.submittedAt, PERIOD.from), lt(orders.submittedAt, PERIOD.to)));
  const events = db
    .select({ orderId: orderEvents.orderId, type: orderEvents.type, at: orderEvents.at, step: orderEvents.step, data: orderEvents.data })
    .from(orderEvents)
    .where(and(inArray(orderEvents.orderId, inPeriod), inArray(orderEvents.type, [...KPI_EVENT_TYPES])))
    .orderBy(asc(orderEvents.orderId), asc(orderEvents.pos))
    .all();
  const tiers = new Map(
    db
      .select({ id: customers.id, tier: customers.tier })
      .from(customers)
      .where(sql`${customers.id} in (select distinct ${orders.customerId} from ${orders} where ${orders.submittedAt} >= ${PERIOD.from} and ${orders.submittedAt} < ${PERIOD.to})`)
      .all()
      .map((c) => [c.id, c.tier]),
  );
  return kpiReport(factsOfLog(events), { ...PERIOD, groupBy, timeZone, tierOf: groupBy === 'tier' ? (id) => tiers.get(id) : undefined });
}

/** Types only a person's step has: the workflow never logs them for `intake`. */
const HUMAN_ONLY = new Set(['order.step_reminded', 'order.step_escalated', 'order.step_timed_out']);

const arbEvent = fc.record({
  type: fc.constantFrom<string>(...KPI_EVENT_TYPES, 'order.decision_refused', 'order.fulfilment', 'order.step_assigned'),
  step: fc.constantFrom<StepId | null>(null, ...STEP_IDS),
  /** Minutes after the previous event (a few go back: clocks and retries are not monotonic). */
  afterMin: fc.integer({ min: -3, max: 300 }),
  outcome: fc.constantFrom('auto_approved', 'findings', 'skipped', 'kept', undefined),
  assignedBy: fc.option(fc.constantFrom('management', 'admin'), { nil: undefined }),
  dataStep: fc.option(fc.constantFrom(...STEP_IDS), { nil: undefined }),
}).map((e) => (HUMAN_ONLY.has(e.type) && e.step === 'intake' ? { ...e, step: null } : e));

const arbOrder = fc.record({
  /** Hours after T0: some orders fall before or after the 3-day period. */
  submittedHour: fc.integer({ min: -24, max: 96 }),
  logsSubmission: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  channel: fc.constantFrom('web', 'edi', 'partner', ''),
  customerId: fc.constantFrom('C-1', 'C-2', 'C-NONE'),
  priority: fc.constantFrom('normal', 'rush', undefined),
  events: fc.array(arbEvent, { maxLength: 25 }),
  /** Where the log is cut into the writers' transactions. */
  cuts: fc.array(fc.integer({ min: 0, max: 26 }), { maxLength: 4 }),
  /** What happens to the order's facts row after the writes. */
  row: fc.constantFrom('kept', 'kept', 'deleted', 'older rules'),
});

describe('KPI facts rows against the raw log', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-kpi-facts-'));
  let db: Db;
  beforeAll(() => {
    db = openDatabase(path.join(dir, 'app.db'));
    const at = '2026-01-01T00:00:00.000Z';
    for (const [id, tier] of [['C-1', 'vip'], ['C-2', 'standard']] as const) {
      db.insert(customers).values({ id, name: id, tier, creditLimitMinor: 0, openBalanceMinor: 0, allowedPaymentTerms: [], onHold: false, updatedAt: at }).run();
    }
  });
  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the report from the facts rows is the report from factsOfLog of the events, for random logs', () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(arbOrder, { minLength: 1, maxLength: 8 }),
        fc.constantFrom<KpiGrouping | undefined>(undefined, ...KPI_GROUPINGS),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
        (specs, groupBy, timeZone) => {
          run += 1;
          db.delete(orderKpiFacts).run();
          db.delete(orderEvents).run();
          db.delete(orders).run();
          // Ids that do not sort like the submission times, so neither read's row order can agree by accident.
          specs.forEach((o, k) => {
            const orderId = `O-${run}-${(k * 7919) % 1000}-${k}`;
            const submittedAt = T0 + o.submittedHour * 3_600_000;
            let t = submittedAt;
            const log = o.events.map((e, i) => {
              t += e.afterMin * 60_000;
              const data: Record<string, unknown> = {};
              if (e.outcome !== undefined) data.outcome = e.outcome;
              if (e.assignedBy !== undefined) data.assignedBy = e.assignedBy;
              if (e.dataStep !== undefined) data.step = e.dataStep;
              if (e.type === 'order.submitted') Object.assign(data, { channel: o.channel, customerId: o.customerId });
              return { id: `${orderId}-e${i}`, type: e.type as EventType, at: new Date(t).toISOString(), revision: 1, step: e.step, actor: 'test', data };
            });
            if (o.logsSubmission) {
              const data = { channel: o.channel, customerId: o.customerId, ...(o.priority ? { priority: o.priority } : {}) };
              log.unshift({ id: `${orderId}-s`, type: 'order.submitted', at: new Date(submittedAt).toISOString(), revision: 1, step: 'intake', actor: 'test', data });
            }
            const cuts = [...new Set([0, ...o.cuts.filter((c) => c < log.length), log.length])].sort((a, b) => a - b);
            for (let c = 0; c < cuts.length - 1 || c === 0; c++) {
              const chunk = log.slice(cuts[c], cuts[c + 1]);
              writeTx(db, (tx) => {
                const logged = appendEvents(tx, { stream: orderStream(orderId), orderId, submittedBy: 'shop' }, chunk);
                tx.insert(orders)
                  .values({
                    orderId,
                    submittedBy: 'shop',
                    customerId: o.customerId,
                    channel: o.channel || 'web',
                    status: 'in_review',
                    revision: 1,
                    priority: 'normal',
                    totalMinor: 100,
                    submittedAt: new Date(submittedAt).toISOString(),
                    updatedAt: new Date(t).toISOString(),
                    state: {},
                  })
                  .onConflictDoNothing()
                  .run();
                if (logged > 0 && chunk.some((e) => isKpiEventType(e.type))) refreshKpiFacts(db, orderId);
              });
            }
            // The writes left the facts of the whole log (no row when nothing of it was a KPI event).
            const row = db.select().from(orderKpiFacts).where(eq(orderKpiFacts.orderId, orderId)).get();
            const kpiLog = log.filter((e) => isKpiEventType(e.type)).map((e) => ({ ...e, orderId }));
            if (kpiLog.length === 0) expect(row).toBeUndefined();
            else expect(row).toEqual({ orderId, factsVersion: ORDER_FACTS_VERSION, facts: row?.facts ?? null });
            expect(row?.facts ? decodeFacts(row.facts) : null).toEqual(orderFacts(kpiLog));
            if (o.row === 'deleted') db.delete(orderKpiFacts).where(eq(orderKpiFacts.orderId, orderId)).run();
            // Rules of an older version that made nothing of this order: only a recomputation counts it.
            if (o.row === 'older rules') {
              db.update(orderKpiFacts).set({ factsVersion: ORDER_FACTS_VERSION - 1, facts: null }).where(eq(orderKpiFacts.orderId, orderId)).run();
            }
          });
          const expected = JSON.stringify(reportFromLog(db, groupBy, timeZone));
          expect(JSON.stringify(kpisOf(db, PERIOD, { groupBy, timeZone }))).toBe(expected);
          // Every row of the period is now current: the next report computes nothing, and says the same.
          expect(kpiFactsOfPeriod(db, PERIOD.from, PERIOD.to).refreshed).toBe(0);
          expect(JSON.stringify(kpisOf(db, PERIOD, { groupBy, timeZone }))).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('a reminder logged on a system step (intake, which once made the rules throw) is written as a row and reported', () => {
    db.delete(orderKpiFacts).run();
    db.delete(orderEvents).run();
    db.delete(orders).run();
    const orderId = 'O-INTAKE-REMINDER';
    const at = new Date(T0 + 3_600_000).toISOString();
    writeTx(db, (tx) => {
      tx.insert(orders)
        .values({ orderId, submittedBy: 'shop', customerId: 'C-1', channel: 'web', status: 'in_review', revision: 1, priority: 'normal', totalMinor: 1, submittedAt: at, updatedAt: at, state: {} })
        .run();
      appendEvents(tx, { stream: orderStream(orderId), orderId, submittedBy: 'shop' }, [
        { id: 'u-1', type: 'order.submitted', at, revision: 1, step: 'intake', actor: 'test', data: {} },
        // No department owns `intake`: the reminder counts for none.
        { id: 'u-2', type: 'order.step_reminded', at, revision: 1, step: 'intake', actor: 'test', data: {} },
      ]);
      refreshKpiFacts(db, orderId);
    });
    expect(db.select().from(orderEvents).all()).toHaveLength(2);
    expect(db.select().from(orderKpiFacts).all()).toHaveLength(1);
    const report = kpisOf(db, PERIOD, { timeZone: 'UTC' });
    expect(report).toEqual(reportFromLog(db, undefined, 'UTC'));
    expect(report.totals.orders).toBe(1);
  });
});
