/** An explainable risk score: a sum of named factors, each reason stating its points, capped at 100. */
import { daysBetween, isIsoDate } from './dates';
import { formatMoney } from './money';
import type { CustomerTier, NormalisedOrder, RiskAssessment } from './types';

const TIER_POINTS: Record<CustomerTier, number> = { standard: 10, key: 5, vip: 0 };
const SHORT_LEAD_TIME_DAYS = 7;
const MANY_LINES = 50;
const MAX_SCORE = 100;

/** Scores the order's risk from customer tier, priority, special requirements, size, lead time and line count. */
export function assessRisk(input: {
  order: NormalisedOrder;
  customerTier: CustomerTier;
  creditLimitMinor: number;
  today: string;
}): RiskAssessment {
  const { order, customerTier, creditLimitMinor, today } = input;
  const factors: { points: number; reason: string }[] = [];

  factors.push({ points: TIER_POINTS[customerTier], reason: `${customerTier}-tier customer` });
  if (order.priority === 'urgent') {
    factors.push({ points: 10, reason: 'urgent priority' });
  }
  if (order.specialRequirements.length > 0) {
    const n = order.specialRequirements.length;
    factors.push({ points: 15, reason: `${n} special requirement${n === 1 ? '' : 's'}` });
  }
  // A zero limit means no credit at all, so any order is "large" relative to it.
  if (creditLimitMinor <= 0 || order.totalMinor * 2 > creditLimitMinor) {
    factors.push({
      points: 20,
      reason:
        `total ${formatMoney(order.totalMinor)} is more than 50% of the credit limit ` +
        `${formatMoney(creditLimitMinor)}`,
    });
  }
  if (!isIsoDate(order.requestedDeliveryDate)) {
    factors.push({ points: 15, reason: `requested delivery date ${order.requestedDeliveryDate} is not a valid date` });
  } else {
    const leadDays = daysBetween(today, order.requestedDeliveryDate);
    if (leadDays < SHORT_LEAD_TIME_DAYS) {
      factors.push({
        points: 15,
        reason: `lead time of ${leadDays} day${leadDays === 1 ? '' : 's'} is under ${SHORT_LEAD_TIME_DAYS} days`,
      });
    }
  }
  if (order.lines.length > MANY_LINES) {
    factors.push({ points: 5, reason: `${order.lines.length} order lines (more than ${MANY_LINES})` });
  }

  const scored = factors.filter((f) => f.points > 0);
  const score = Math.min(MAX_SCORE, scored.reduce((sum, f) => sum + f.points, 0));
  return { score, reasons: scored.map((f) => `${f.reason} (+${f.points})`) };
}
