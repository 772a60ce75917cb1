/**
 * The automatic checks that need master data: they load it and hand it to the pure rules in domain/.
 * Read-only, so a retried attempt is harmless.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq, inArray, sql } from 'drizzle-orm';
import { checkCredit as creditRule } from '../domain/checks/credit';
import { EXPOSED_STATUSES, EXPOSURE_CLEARING_EVENTS, openOrdersMinor } from '../domain/checks/exposure';
import { checkInfo as infoRule } from '../domain/checks/info-check';
import { assessRisk } from '../domain/risk';
import type { Finding, NormalisedOrder, OrderStatus, RiskAssessment } from '../domain/types';
import { customers, fulfilmentEvents, orderIntake, orders, products } from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

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

  return {
    /** Intake: the order is recorded and scored for risk before any department looks at it. */
    async assessOrderRisk({ order }: { order: NormalisedOrder }): Promise<RiskAssessment> {
      const c = customerOf(order);
      return assessRisk({ order, customerTier: c.tier, creditLimitMinor: c.creditLimitMinor, today: dayOf(now()) });
    },

    /** info_check: prices against the catalogue, totals, delivery date. */
    async checkOrderInfo({ order }: { order: NormalisedOrder }): Promise<Finding[]> {
      const skus = [...new Set(order.lines.map((l) => l.sku))];
      const rows = db
        .select({ sku: products.sku, unitPriceMinor: products.unitPriceMinor })
        .from(products)
        .where(inArray(products.sku, skus))
        .all();
      const catalogue = Object.fromEntries(rows.map((r) => [r.sku, { unitPriceMinor: r.unitPriceMinor }]));
      return infoRule(order, catalogue, dayOf(now()));
    },

    /** credit: exposure (open balance + other open orders + this one) against the limit, terms, hold. */
    async checkOrderCredit({ order }: { order: NormalisedOrder }): Promise<Finding[]> {
      const c = customerOf(order);
      return creditRule({
        totalMinor: order.totalMinor,
        paymentTerms: order.paymentTerms,
        customer: c,
        openOrdersMinor: openOrders(order.customerId, order.orderId),
      }).findings;
    },
  };
}
