/**
 * The automatic checks that need master data: they load it, hand it to the pure rules in domain/, and return the
 * findings with the evidence they decided on (the figures and the master-data versions, section 10).
 * Read-only, so a retried attempt is harmless.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import { checkCredit as creditRule } from '../domain/checks/credit';
import { checkInfo as infoRule } from '../domain/checks/info-check';
import type { CheckOutcome, CreditEvidence, InfoCheckEvidence } from '../domain/evidence';
import { formatMoney } from '../domain/money';
import { assessRisk, type CustomerHistory } from '../domain/risk';
import { type BusinessCalendar, type NormalisedOrder, type OrderStatus, type RiskAssessment, TERMINAL_STATUSES } from '../domain/types';
import { EXPOSED_STATUSES, openOrdersMinor } from '../domain/checks/exposure';
import { type Db, prepared } from '../db/client';
import { customers } from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

/** How many of the customer's most recent finished orders its record is judged on. */
export const RISK_HISTORY_ORDERS = 20;

/** Our own constants as an SQL list of literals (statuses and event names: plain words, nothing to escape). */
const literals = (words: readonly string[]) => words.map((w) => `'${w}'`).join(', ');

/*
 * The WHEREs of the partial indexes orders_customer_exposed and orders_customer_finished (db/schema.ts), term for term
 * (on the alias `o`): SQLite reads a partial index only for a query whose WHERE contains the index's own terms. Through them neither read
 * grows with the customer's past (a customer with 20,000 invoiced orders: 23 and 6 ms per check before, read from
 * every one of its orders; test/activities/checks-plans.test.ts checks the plans).
 */
export const EXPOSED_WHERE = `(o.status IN (${literals(EXPOSED_STATUSES.filter((s) => s !== 'approved'))}) OR (o.status = 'approved' AND o.exposure_cleared = 0))`;
export const FINISHED_WHERE = `o.status IN (${literals(TERMINAL_STATUSES)})`;

/** The credit check's reads of the customer's orders (exported for the query plans' test). */
export const CHECK_SQL = {
  openOrders: `select o.status as status,
          o.exposure_cleared as cleared,
          sum(o.total_minor) as total
        from orders o
        where o.customer_id = @customerId and o.order_id <> @exceptOrderId and ${EXPOSED_WHERE}
        group by 1, 2
      union all
      select 'in_review', 0, sum(i.total_minor) from order_intake i
        where i.customer_id = @customerId and i.order_id <> @exceptOrderId
          and not exists (select 1 from orders o where o.order_id = i.order_id)`,
  recentFinished: `select o.status as status,
          exists (select 1 from order_events e where e.order_id = o.order_id and +e.type = 'order.changes_requested') as sentBack
        from orders o
        where o.customer_id = @customerId and o.order_id <> @exceptOrderId and ${FINISHED_WHERE}
        order by o.completed_at desc, o.order_id desc
        limit @limit`,
};

/**
 * The checks' reads, prepared once per database: every order runs each of them, and building them with drizzle per
 * call cost more than running them (S1 profile). The customer row keeps drizzle's prepared query, which maps its
 * JSON and boolean columns.
 */
const statements = (db: Db) =>
  prepared(db, 'checks', () => ({
    customer: db.select().from(customers).where(eq(customers.id, sql.placeholder('id'))).prepare(),
    /*
     * The customer's other open orders (contract section 9), summed per (status, cleared): what the read model shows,
     * cleared (`exposure_cleared`) once fulfilment reported the order invoiced or closed, plus orders accepted at intake whose review has
     * not written its read model yet (they are in review; two orders of one customer checked at the same moment must
     * each count the other).
     */
    openOrders: db.$client.prepare<{ customerId: string; exceptOrderId: string }, { status: OrderStatus; cleared: number; total: number | null }>(
      CHECK_SQL.openOrders,
    ),
    /*
     * The customer's most recent finished orders (this one aside) and whether each was sent back for changes at some
     * revision (an `order.changes_requested` event of that order in the log). `+e.type` keeps SQLite on the order's
     * events (order_events_order, a dozen rows) instead of every sent-back event of the log (order_events_type).
     */
    recentFinished: db.$client.prepare<{ customerId: string; exceptOrderId: string; limit: number }, { status: OrderStatus; sentBack: number }>(
      CHECK_SQL.recentFinished,
    ),
    products: db.$client.prepare<[string], { sku: string; unitPriceMinor: number; version: number }>(
      'select sku, unit_price_minor as unitPriceMinor, version from products where sku in (select value from json_each(?))',
    ),
  }));

export function createCheckActivities({ db, now }: ActivityDeps) {
  /** The customer's other open orders, counted by the pure rule in domain/checks/exposure.ts. */
  function openOrders(customerId: string, exceptOrderId: string): number {
    const groups = statements(db).openOrders.all({ customerId, exceptOrderId });
    return openOrdersMinor(groups.map((g) => ({ status: g.status, cleared: g.cleared === 1, totalMinor: Number(g.total ?? 0) })));
  }

  function customerOf(order: NormalisedOrder) {
    const row = statements(db).customer.get({ id: order.customerId });
    // The API refuses unknown customers; one missing here was never valid, so retrying cannot help.
    if (!row) throw ApplicationFailure.nonRetryable(`unknown customer ${order.customerId}`, 'UNKNOWN_CUSTOMER');
    return row;
  }

  /** The customer's record: of its most recent finished orders, how many were rejected or sent back for changes. */
  function customerHistory(customerId: string, exceptOrderId: string): CustomerHistory {
    const recent = statements(db).recentFinished.all({ customerId, exceptOrderId, limit: RISK_HISTORY_ORDERS });
    return { orders: recent.length, troubled: recent.filter((o) => o.status === 'rejected' || o.sentBack === 1).length };
  }

  return {
    /** Intake: the order is recorded and scored for risk (its customer's record included) before any department looks. */
    async assessOrderRisk({ order, calendar }: { order: NormalisedOrder; calendar?: BusinessCalendar }): Promise<RiskAssessment> {
      const c = customerOf(order);
      return assessRisk({
        order,
        customerTier: c.tier,
        creditLimitMinor: c.creditLimitMinor,
        today: dayOf(now(), calendar),
        history: customerHistory(order.customerId, order.orderId),
      });
    },

    /** info_check: prices against the catalogue, totals, delivery date. */
    async checkOrderInfo({ order, calendar }: { order: NormalisedOrder; calendar?: BusinessCalendar }): Promise<CheckOutcome<InfoCheckEvidence>> {
      const today = dayOf(now(), calendar);
      const skus = [...new Set(order.lines.map((l) => l.sku))];
      const rows = statements(db).products.all(JSON.stringify(skus));
      const catalogue = Object.fromEntries(rows.map((r) => [r.sku, { unitPriceMinor: r.unitPriceMinor }]));
      const bySku = new Map(rows.map((r) => [r.sku, r]));
      return {
        findings: infoRule(order, catalogue, today),
        evidence: {
          today,
          products: skus.map((sku) => {
            const p = bySku.get(sku);
            return { sku, version: p?.version ?? null, listPrice: p ? formatMoney(p.unitPriceMinor) : null };
          }),
        },
      };
    },

    /** credit: exposure (open balance + other open orders + this one) against the limit, terms, hold. */
    async checkOrderCredit({ order }: { order: NormalisedOrder }): Promise<CheckOutcome<CreditEvidence>> {
      const c = customerOf(order);
      const open = openOrders(order.customerId, order.orderId);
      const { findings, exposureMinor } = creditRule({
        totalMinor: order.totalMinor,
        paymentTerms: order.paymentTerms,
        customer: c,
        openOrdersMinor: open,
      });
      return {
        findings,
        evidence: {
          customerVersion: c.version,
          creditLimit: formatMoney(c.creditLimitMinor),
          openBalance: formatMoney(c.openBalanceMinor),
          openOrders: formatMoney(open),
          thisOrder: formatMoney(order.totalMinor),
          exposure: formatMoney(exposureMinor),
          onHold: c.onHold,
          paymentTerms: order.paymentTerms,
          allowedPaymentTerms: c.allowedPaymentTerms,
        },
      };
    },
  };
}
