/** The customer's record in the risk score: the share of its recent orders rejected or sent back for changes. */
import { describe, expect, it } from 'vitest';
import { assessRisk, historyFactor, MIN_HISTORY_ORDERS } from '../../domain/risk';
import { cleanOrder, TODAY } from './fixtures';

describe('historyFactor', () => {
  it.each([
    // [orders, troubled, points]
    [10, 0, null],
    [10, 1, 10], // exactly 10 %
    [11, 1, null], // 9.09 %: under the first tier
    [20, 2, 10],
    [20, 4, 10], // 20 %
    [20, 5, 20], // exactly 25 %
    [10, 3, 20],
    [10, 4, 20],
    [10, 5, 30], // exactly 50 %
    [20, 9, 20], // 45 %
    [3, 3, 30],
    [3, 1, 20], // 33 %
  ])('%i orders, %i troubled → %s points', (orders, troubled, points) => {
    expect(historyFactor({ orders, troubled })?.points ?? null).toBe(points);
  });

  it(`says nothing about a customer with fewer than ${MIN_HISTORY_ORDERS} finished orders`, () => {
    expect(historyFactor({ orders: MIN_HISTORY_ORDERS - 1, troubled: MIN_HISTORY_ORDERS - 1 })).toBeNull();
    expect(historyFactor({ orders: 0, troubled: 0 })).toBeNull();
    expect(historyFactor({ orders: MIN_HISTORY_ORDERS, troubled: 1 })).not.toBeNull();
  });

  it('spells the reason out', () => {
    expect(historyFactor({ orders: 10, troubled: 3 })?.reason).toBe("3 of the customer's last 10 orders were rejected or sent back for changes");
    expect(historyFactor({ orders: 4, troubled: 1 })?.reason).toBe("1 of the customer's last 4 orders was rejected or sent back for changes");
  });
});

describe('assessRisk with the customer history', () => {
  const base = { order: cleanOrder(), customerTier: 'standard' as const, creditLimitMinor: 500_000_00, today: TODAY };

  it('adds the record as a factor with its points', () => {
    expect(assessRisk({ ...base, history: { orders: 10, troubled: 3 } })).toEqual({
      score: 30,
      reasons: ['standard-tier customer (+10)', "3 of the customer's last 10 orders were rejected or sent back for changes (+20)"],
    });
  });

  it('a clean record, or none, changes nothing', () => {
    const without = assessRisk(base);
    expect(assessRisk({ ...base, history: { orders: 20, troubled: 0 } })).toEqual(without);
    expect(assessRisk({ ...base, history: { orders: 2, troubled: 2 } })).toEqual(without);
  });

  it('still caps the score at 100', () => {
    const lines = Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPriceMinor: 100 }));
    const order = cleanOrder({ priority: 'urgent', specialRequirements: ['x'], requestedDeliveryDate: TODAY, lines });
    const risk = assessRisk({ ...base, order, creditLimitMinor: 0, history: { orders: 5, troubled: 5 } });
    // 10 + 10 + 15 + 20 + 15 + 5 + 30 = 105 points of reasons, capped.
    expect(risk.reasons).toHaveLength(7);
    expect(risk.score).toBe(100);
  });
});
