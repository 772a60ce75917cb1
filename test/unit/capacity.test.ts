import { describe, expect, it } from 'vitest';
import { planCapacity, requiredHours } from '../../domain/checks/capacity';

const base = { today: '2026-06-01', requestedDeliveryDate: '2026-06-04', hoursPerDay: 16, bookedByDay: {} };

describe('requiredHours', () => {
  it('sums quantity × hours per unit without float noise', () => {
    const lines = [
      { sku: 'A', quantity: 3, unitPriceMinor: 1 },
      { sku: 'B', quantity: 7, unitPriceMinor: 1 },
      { sku: 'UNRATED', quantity: 5, unitPriceMinor: 1 },
    ];
    // 3 × 0.1 + 7 × 0.05 is 0.65000000000000002 in floating point.
    expect(requiredHours(lines, { A: 0.1, B: 0.05 })).toBe(0.65);
  });

  it('keeps tiny requirements: an order below 0.005 h does not round to nothing', () => {
    expect(requiredHours([{ sku: 'A', quantity: 1, unitPriceMinor: 1 }], { A: 0.004 })).toBe(0.004);
    // Below the micro-hour it is rounded up, never down to zero.
    expect(requiredHours([{ sku: 'A', quantity: 1, unitPriceMinor: 1 }], { A: 1e-9 })).toBe(0.000001);
  });
});

describe('planCapacity', () => {
  it('fills the earliest days first', () => {
    const result = planCapacity({ ...base, requiredHours: 20, bookedByDay: { '2026-06-01': 10 } });
    expect(result.findings).toEqual([]);
    expect(result.bookings).toEqual([
      { day: '2026-06-01', hours: 6 },
      { day: '2026-06-02', hours: 14 },
    ]);
    expect(result.freeHours).toBe(38);
  });

  it('passes with exactly the free capacity', () => {
    const result = planCapacity({ ...base, requiredHours: 38, bookedByDay: { '2026-06-01': 10 } });
    expect(result.findings).toEqual([]);
    expect(result.bookings).toEqual([
      { day: '2026-06-01', hours: 6 },
      { day: '2026-06-02', hours: 16 },
      { day: '2026-06-03', hours: 16 },
    ]);
  });

  it('fails one hour short and still plans everything, the rest on the last day', () => {
    const result = planCapacity({ ...base, requiredHours: 39, bookedByDay: { '2026-06-01': 10 } });
    expect(result.findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);
    expect(result.findings[0]?.message).toContain('39.00');
    expect(result.findings[0]?.message).toContain('38.00');
    expect(result.findings[0]?.message).toContain('2026-06-04');
    expect(result.bookings).toEqual([
      { day: '2026-06-01', hours: 6 },
      { day: '2026-06-02', hours: 16 },
      { day: '2026-06-03', hours: 17 },
    ]);
  });

  it('puts the remainder on the last production day even when that day is fully booked', () => {
    const result = planCapacity({ ...base, requiredHours: 10, hoursPerDay: 8, bookedByDay: { '2026-06-02': 8, '2026-06-03': 9 } });
    expect(result.freeHours).toBe(8);
    expect(result.findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);
    expect(result.bookings).toEqual([
      { day: '2026-06-01', hours: 8 },
      { day: '2026-06-03', hours: 2 },
    ]);
  });

  it('ignores bookings outside the production window', () => {
    const result = planCapacity({
      ...base,
      requiredHours: 48,
      bookedByDay: { '2026-05-31': 16, '2026-06-04': 16 },
    });
    expect(result.findings).toEqual([]);
    expect(result.freeHours).toBe(48);
  });

  it('has no production days when delivery is today', () => {
    const result = planCapacity({ ...base, requestedDeliveryDate: base.today, requiredHours: 1 });
    expect(result.findings.map((f) => f.code)).toEqual(['NO_PRODUCTION_DAYS']);
    expect(result.bookings).toEqual([]);
    expect(result.freeHours).toBe(0);
  });

  it('has no production days when delivery is in the past', () => {
    const result = planCapacity({ ...base, requestedDeliveryDate: '2026-05-01', requiredHours: 1 });
    expect(result.findings.map((f) => f.code)).toEqual(['NO_PRODUCTION_DAYS']);
  });

  it('passes an order that needs no hours, even with no production days', () => {
    expect(planCapacity({ ...base, requiredHours: 0 })).toEqual({ findings: [], bookings: [], freeHours: 48 });
    expect(planCapacity({ ...base, requestedDeliveryDate: base.today, requiredHours: 0 }).findings).toEqual([]);
  });

  it('tolerates float noise at the boundary', () => {
    const result = planCapacity({ ...base, hoursPerDay: 0.1 + 0.2, requiredHours: 0.9 });
    expect(result.findings).toEqual([]);
    expect(result.bookings.map((b) => b.hours)).toEqual([0.3, 0.3, 0.3]);
  });

  it('stays cheap for a far-off delivery date', () => {
    const result = planCapacity({ ...base, requestedDeliveryDate: '9999-12-31', requiredHours: 20 });
    expect(result.bookings).toHaveLength(2);
  });
});
