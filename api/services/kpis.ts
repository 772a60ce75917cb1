/**
 * The KPI report of a period (contract section 11): the orders submitted in it are found through the read model's
 * submission index, their events are read from the log, and the figures come from the pure rules in domain/kpis.
 */
import { and, asc, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { customers, orderEvents, orders } from '../../db/schema';
import { factsOfLog, KPI_EVENT_TYPES, type KpiGrouping, type KpiReport, kpiReport } from '../../domain/kpis';
import { problems } from '../problem';
import { boundMs } from './period';

/** The longest period one report covers: a year (and a day, for leap years), so `day` groups stay few. */
export const MAX_PERIOD_DAYS = 366;
const DEFAULT_PERIOD_DAYS = 30;

export interface Period {
  from: string;
  to: string;
}

/**
 * [from, to) as instants. A date `from` is that day's first instant in `timeZone`; a date `to` includes that whole
 * day. Default: the 30 days before now. 400 when `from` is not before `to` or the period exceeds a year.
 */
export function resolvePeriod(q: { from?: string; to?: string }, timeZone: string, now = Date.now()): Period {
  const to = q.to ? boundMs(q.to, timeZone, true) : now;
  const from = q.from ? boundMs(q.from, timeZone, false) : to - DEFAULT_PERIOD_DAYS * 86_400_000;
  if (from >= to) throw problems.badRequest('the period is empty', [{ path: 'from', message: 'must be before `to`' }]);
  if (to - from > MAX_PERIOD_DAYS * 86_400_000) {
    throw problems.badRequest('the period is too long', [{ path: 'from', message: `the period may cover at most ${MAX_PERIOD_DAYS} days` }]);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The report for the orders submitted in `period`. */
export function kpisOf(db: Db, period: Period, opts: { groupBy?: KpiGrouping; timeZone: string }): KpiReport {
  const inPeriod = db
    .select({ id: orders.orderId })
    .from(orders)
    .where(and(gte(orders.submittedAt, period.from), lt(orders.submittedAt, period.to)));
  const events = db
    .select({ orderId: orderEvents.orderId, type: orderEvents.type, at: orderEvents.at, step: orderEvents.step, data: orderEvents.data })
    .from(orderEvents)
    .where(and(inArray(orderEvents.orderId, inPeriod), inArray(orderEvents.type, [...KPI_EVENT_TYPES])))
    .orderBy(asc(orderEvents.orderId), asc(orderEvents.pos))
    .all();
  let tierOf: ((customerId: string) => string | undefined) | undefined;
  if (opts.groupBy === 'tier') {
    const tiers = new Map(
      db
        .select({ id: customers.id, tier: customers.tier })
        .from(customers)
        .where(sql`${customers.id} in (select distinct ${orders.customerId} from ${orders} where ${orders.submittedAt} >= ${period.from} and ${orders.submittedAt} < ${period.to})`)
        .all()
        .map((c) => [c.id, c.tier]),
    );
    tierOf = (id) => tiers.get(id);
  }
  return kpiReport(factsOfLog(events), { ...period, groupBy: opts.groupBy, timeZone: opts.timeZone, tierOf });
}
