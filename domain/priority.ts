/**
 * Value-based priority in the inbox (contract section 12, seed 000): after urgency and escalation, steps are ordered
 * by their due time moved earlier by the order's weight — the customer's tier and the order's value — and each says
 * why it ranks where it does. Pure: the read model stores the rank, the inbox adds how soon it is due.
 */
import { formatMoney } from './money';
import type { CustomerTier, Priority } from './types';

const HOUR_MS = 3_600_000;

/** How much earlier a step of such an order counts as due. */
const TIER_CREDIT_H: Record<CustomerTier, number> = { vip: 8, key: 4, standard: 0 };
const VALUE_CREDIT: { atLeastMinor: number; hours: number }[] = [
  { atLeastMinor: 10_000_000, hours: 8 }, // 100,000.00 and more
  { atLeastMinor: 1_000_000, hours: 4 }, // 10,000.00 and more
];

export interface PriorityInput {
  priority: Priority;
  tier: CustomerTier | null;
  totalMinor: number;
  currency: string;
  dueAt: string;
  escalated: boolean;
}

/** The step's rank time (its due time less the order's weight) and the standing reasons for it. */
export function inboxRank(p: PriorityInput): { rankAt: string; reasons: string[] } {
  const reasons: string[] = [];
  if (p.priority === 'urgent') reasons.push('urgent order');
  if (p.escalated) reasons.push('escalated to management');
  let creditH = 0;
  if (p.tier && TIER_CREDIT_H[p.tier] > 0) {
    creditH += TIER_CREDIT_H[p.tier];
    reasons.push(p.tier === 'vip' ? 'VIP customer' : 'key account');
  }
  const value = VALUE_CREDIT.find((v) => p.totalMinor >= v.atLeastMinor);
  if (value) {
    creditH += value.hours;
    reasons.push(`high value: ${formatMoney(p.totalMinor)} ${p.currency}`);
  }
  return { rankAt: new Date(Date.parse(p.dueAt) - creditH * HOUR_MS).toISOString(), reasons };
}

/** "due in 3 h", "overdue by 2 h", "due in 2 days": how soon, said when the inbox is read. */
export function dueReason(dueAt: string, nowMs: number): string {
  const ms = Date.parse(dueAt) - nowMs;
  const abs = Math.abs(ms);
  const span = abs < HOUR_MS ? `${Math.max(1, Math.round(abs / 60_000))} min` : abs < 48 * HOUR_MS ? `${Math.round(abs / HOUR_MS)} h` : `${Math.round(abs / (24 * HOUR_MS))} days`;
  return ms < 0 ? `overdue by ${span}` : `due in ${span}`;
}
