/**
 * The automatic checks that need master data: they load it and hand it to the pure rules in domain/.
 * Read-only, so a retried attempt is harmless.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { eq, inArray, sql } from 'drizzle-orm';
import { checkCredit as creditRule } from '../domain/checks/credit';
import { checkInfo as infoRule } from '../domain/checks/info-check';
import { assessRisk } from '../domain/risk';
import type { BusinessCalendar, Finding, NormalisedOrder, RiskAssessment } from '../domain/types';
import { customers, orderIntake, orders, products } from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

/** Statuses whose orders still count towards a customer's exposure. */
const EXPOSED_STATUSES = ['in_review', 'changes_requested', 'approved'];

export function createCheckActivities({ db, now }: ActivityDeps) {
  /**
   * The customer's other open orders: what the read model shows in an exposed status, plus orders accepted at intake
   * whose review has not written its read model yet (they are in review; two orders of one customer checked at the
   * same moment must each count the other).
   */
  function openOrdersMinor(customerId: string, exceptOrderId: string): number {
    const exposed = sql.join(EXPOSED_STATUSES.map((s) => sql`${s}`), sql`, `);
    const row = db
      .select({
        sum: sql<number>`coalesce((select sum(${orders.totalMinor}) from ${orders}
            where ${orders.customerId} = ${customerId} and ${orders.orderId} <> ${exceptOrderId} and ${orders.status} in (${exposed})), 0)
          + coalesce((select sum(${orderIntake.totalMinor}) from ${orderIntake}
            where ${orderIntake.customerId} = ${customerId} and ${orderIntake.orderId} <> ${exceptOrderId}
              and not exists (select 1 from ${orders} where ${orders.orderId} = ${orderIntake.orderId})), 0)`,
      })
      .from(sql`(select 1)`)
      .get();
    return Number(row?.sum ?? 0);
  }

  function customerOf(order: NormalisedOrder) {
    const row = db.select().from(customers).where(eq(customers.id, order.customerId)).get();
    // The API refuses unknown customers; one missing here was never valid, so retrying cannot help.
    if (!row) throw ApplicationFailure.nonRetryable(`unknown customer ${order.customerId}`, 'UNKNOWN_CUSTOMER');
    return row;
  }

  return {
    /** Intake: the order is recorded and scored for risk before any department looks at it. */
    async assessOrderRisk({ order, calendar }: { order: NormalisedOrder; calendar?: BusinessCalendar }): Promise<RiskAssessment> {
      const c = customerOf(order);
      return assessRisk({ order, customerTier: c.tier, creditLimitMinor: c.creditLimitMinor, today: dayOf(now(), calendar) });
    },

    /** info_check: prices against the catalogue, totals, delivery date. */
    async checkOrderInfo({ order, calendar }: { order: NormalisedOrder; calendar?: BusinessCalendar }): Promise<Finding[]> {
      const skus = [...new Set(order.lines.map((l) => l.sku))];
      const rows = db
        .select({ sku: products.sku, unitPriceMinor: products.unitPriceMinor })
        .from(products)
        .where(inArray(products.sku, skus))
        .all();
      const catalogue = Object.fromEntries(rows.map((r) => [r.sku, { unitPriceMinor: r.unitPriceMinor }]));
      return infoRule(order, catalogue, dayOf(now(), calendar));
    },

    /** credit: exposure (open balance + other open orders + this one) against the limit, terms, hold. */
    async checkOrderCredit({ order }: { order: NormalisedOrder }): Promise<Finding[]> {
      const c = customerOf(order);
      return creditRule({
        totalMinor: order.totalMinor,
        paymentTerms: order.paymentTerms,
        customer: c,
        openOrdersMinor: openOrdersMinor(order.customerId, order.orderId),
      }).findings;
    },
  };
}
