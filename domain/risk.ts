/** An explainable risk score: a sum of named factors, each reason stating its points, capped at 100. */
import { daysBetween, isIsoDate } from './dates';
import { formatMoney } from './money';
import type { CustomerTier, NormalisedOrder, RiskAssessment } from './types';

const TIER_POINTS: Record<CustomerTier, number> = { standard: 10, key: 5, vip: 0 };
const SHORT_LEAD_TIME_DAYS = 7;
const MANY_LINES = 50;
const MAX_SCORE = 100;

/** The customer's record over its most recent finished orders (contract seed: "find high-risk customers"). */
export interface CustomerHistory {
  /** How many recent finished orders were looked at. */
  orders: number;
  /** Of those, how many were rejected or sent back for changes. */
  troubled: number;
}

/** Fewer finished orders than this say too little about a customer to score its record. */
export const MIN_HISTORY_ORDERS = 3;
/** Points by the share of troubled orders: the first tier the share reaches (inclusive) applies. */
const HISTORY_TIERS: readonly { share: number; points: number }[] = [
  { share: 0.5, points: 30 },
  { share: 0.25, points: 20 },
  { share: 0.1, points: 10 },
];

/**
 * The risk a customer's record adds: the share of its recent orders rejected or sent back for changes, in tiers
 * (≥ 10 % +10, ≥ 25 % +20, ≥ 50 % +30), only once it has at least MIN_HISTORY_ORDERS finished orders.
 */
export function historyFactor(history: CustomerHistory): { points: number; reason: string } | null {
  const { orders, troubled } = history;
  if (orders < MIN_HISTORY_ORDERS || troubled <= 0) return null;
  // Compare in whole numbers: 1 of 10 is exactly the 10 % tier, not a float a hair below it.
  const tier = HISTORY_TIERS.find((t) => troubled * 100 >= Math.round(t.share * 100) * orders);
  if (!tier) return null;
  return {
    points: tier.points,
    reason: `${troubled} of the customer's last ${orders} orders ${troubled === 1 ? 'was' : 'were'} rejected or sent back for changes`,
  };
}

/**
 * Scores the order's risk from customer tier, priority, special requirements, size, lead time, line count and the
 * customer's record of rejected or sent-back orders.
 */
export function assessRisk(input: {
  order: NormalisedOrder;
  customerTier: CustomerTier;
  creditLimitMinor: number;
  today: string;
  /** Absent: no record to judge (the factor is left out). */
  history?: CustomerHistory;
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
  const record = input.history ? historyFactor(input.history) : null;
  if (record) factors.push(record);

  const scored = factors.filter((f) => f.points > 0);
  const score = Math.min(MAX_SCORE, scored.reduce((sum, f) => sum + f.points, 0));
  return { score, reasons: scored.map((f) => `${f.reason} (+${f.points})`) };
}
