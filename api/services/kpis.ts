/**
 * The KPI report of a period (contract section 11): the orders submitted in it are found through the read model's
 * submission index, each with its KPI facts row (db/kpi-facts.ts: the pure rules of domain/kpis applied to its
 * events when they were logged), and the figures come from the pure rules in domain/kpis.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { kpiFactsOfPeriod } from '../../db/kpi-facts';
import { customers, orders } from '../../db/schema';
import { type KpiGrouping, type KpiReport, kpiReport } from '../../domain/kpis';
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
  const { facts } = kpiFactsOfPeriod(db, period.from, period.to);
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
  return kpiReport(facts, { ...period, groupBy: opts.groupBy, timeZone: opts.timeZone, tierOf });
}
