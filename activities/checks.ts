/**
 * The automatic checks that need master data: they load it, hand it to the pure rules in domain/, and return the
 * findings with the evidence they decided on (the figures and the master-data versions, section 10).
 * Read-only, so a retried attempt is harmless.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { checkCredit as creditRule } from '../domain/checks/credit';
import { checkInfo as infoRule } from '../domain/checks/info-check';
import type { CheckOutcome, CreditEvidence, InfoCheckEvidence } from '../domain/evidence';
import { formatMoney } from '../domain/money';
import { assessRisk, type CustomerHistory } from '../domain/risk';
import { type BusinessCalendar, type NormalisedOrder, type OrderStatus, type RiskAssessment, TERMINAL_STATUSES } from '../domain/types';
import { EXPOSED_STATUSES, EXPOSURE_CLEARING_EVENTS, openOrdersMinor } from '../domain/checks/exposure';
import { customers, fulfilmentEvents, orderEvents, orderIntake, orders, products } from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

/** How many of the customer's most recent finished orders its record is judged on. */
export const RISK_HISTORY_ORDERS = 20;

export function createCheckActivities({ db, now }: ActivityDeps) {
  /**
   * The customer's other open orders (contract section 9), counted by the pure rule in domain/checks/exposure.ts.
   * SQLite only sums them per (status, cleared): what the read model shows, cleared when fulfilment reported the
   * order invoiced or closed, plus orders accepted at intake whose review has not written its read model yet (they
   * are in review; two orders of one customer checked at the same moment must each count the other).
   */
  function openOrders(customerId: string, exceptOrderId: string): number {
    const exposed = sql.join(EXPOSED_STATUSES.map((s) => sql`${s}`), sql`, `);
    const clearing = sql.join(EXPOSURE_CLEARING_EVENTS.map((e) => sql`${e}`), sql`, `);
    const groups = db.all<{ status: OrderStatus; cleared: number; total: number }>(sql`
      select ${orders.status} as status,
          exists (select 1 from ${fulfilmentEvents} where ${fulfilmentEvents.orderId} = ${orders.orderId}
            and ${fulfilmentEvents.event} in (${clearing})) as cleared,
          sum(${orders.totalMinor}) as total
        from ${orders}
        where ${orders.customerId} = ${customerId} and ${orders.orderId} <> ${exceptOrderId} and ${orders.status} in (${exposed})
        group by 1, 2
      union all
      select 'in_review', 0, sum(${orderIntake.totalMinor}) from ${orderIntake}
        where ${orderIntake.customerId} = ${customerId} and ${orderIntake.orderId} <> ${exceptOrderId}
          and not exists (select 1 from ${orders} where ${orders.orderId} = ${orderIntake.orderId})`);
    return openOrdersMinor(groups.map((g) => ({ status: g.status, cleared: g.cleared === 1, totalMinor: Number(g.total ?? 0) })));
  }

  function customerOf(order: NormalisedOrder) {
    const row = db.select().from(customers).where(eq(customers.id, order.customerId)).get();
    // The API refuses unknown customers; one missing here was never valid, so retrying cannot help.
    if (!row) throw ApplicationFailure.nonRetryable(`unknown customer ${order.customerId}`, 'UNKNOWN_CUSTOMER');
    return row;
  }

  /**
   * The customer's record: of its most recent finished orders (this one aside), how many were rejected or sent back
   * for changes at some revision (an `order.changes_requested` event in the log).
   */
  function customerHistory(customerId: string, exceptOrderId: string): CustomerHistory {
    // Spelled out, not built from the column objects: in a select field drizzle writes columns without their table,
    // and `order_id = order_id` inside the subquery compared the event with itself (every customer's record then
    // counted any order ever sent back).
    const sentBack = sql<number>`exists (select 1 from order_events e where e.order_id = "orders"."order_id"
      and e.type = 'order.changes_requested')`;
    const recent = db
      .select({ status: orders.status, sentBack })
      .from(orders)
      .where(and(eq(orders.customerId, customerId), ne(orders.orderId, exceptOrderId), inArray(orders.status, [...TERMINAL_STATUSES])))
      .orderBy(desc(orders.completedAt), desc(orders.orderId))
      .limit(RISK_HISTORY_ORDERS)
      .all();
    return { orders: recent.length, troubled: recent.filter((o) => o.status === 'rejected' || Number(o.sentBack) === 1).length };
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
      const rows = db
        .select({ sku: products.sku, unitPriceMinor: products.unitPriceMinor, version: products.version })
        .from(products)
        .where(inArray(products.sku, skus))
        .all();
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
