/**
 * Properties of production's capacity plan: bookings add up to exactly the hours required, no day is booked
 * past its free hours unless the order does not fit (then only the last production day takes the rest), and
 * the verdict is "insufficient" exactly when the free hours are fewer than required.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCapacity, requiredHours } from '../../domain/checks/capacity';
import { addDays } from '../../domain/dates';

const TODAY = '2026-06-01';
const MICRO = 1_000_000;
/** Hours on the micro-hour grid, as stored bookings and settings are. */
const hoursOnGrid = (max: number) => fc.integer({ min: 0, max: max * MICRO }).map((u) => u / MICRO);
const u = (h: number) => Math.round(h * MICRO);

const scenario = fc.record({
  days: fc.integer({ min: 1, max: 20 }),
  hoursPerDay: hoursOnGrid(24),
  required: hoursOnGrid(300),
  booked: fc.array(fc.tuple(fc.integer({ min: -3, max: 25 }), hoursOnGrid(30)), { maxLength: 15 }),
});

function plan(s: { days: number; hoursPerDay: number; required: number; booked: [number, number][] }) {
  const bookedByDay: Record<string, number> = {};
  for (const [offset, h] of s.booked) bookedByDay[addDays(TODAY, offset)] = h;
  const free = (day: string) => Math.max(0, u(s.hoursPerDay) - u(bookedByDay[day] ?? 0));
  const freeInWindow = Array.from({ length: s.days }, (_, i) => free(addDays(TODAY, i))).reduce((a, b) => a + b, 0);
  const result = planCapacity({ requiredHours: s.required, today: TODAY, requestedDeliveryDate: addDays(TODAY, s.days), hoursPerDay: s.hoursPerDay, bookedByDay });
  return { result, free, freeInWindow };
}

describe('capacity planning properties', () => {
  it('books exactly the required hours, on production days before the delivery date', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { result } = plan(s);
        const total = result.bookings.reduce((sum, b) => sum + u(b.hours), 0);
        expect(total).toBe(u(s.required));
        const last = addDays(TODAY, s.days - 1);
        for (const b of result.bookings) {
          expect(b.day >= TODAY && b.day <= last).toBe(true);
          expect(b.hours).toBeGreaterThan(0);
        }
        expect(new Set(result.bookings.map((b) => b.day)).size).toBe(result.bookings.length);
      }),
    );
  });

  it('never books a day past its free hours, except the last day when the order does not fit', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { result, free, freeInWindow } = plan(s);
        const fits = u(s.required) <= freeInWindow;
        expect(result.findings.length === 0).toBe(fits);
        expect(u(result.freeHours)).toBe(freeInWindow);
        const last = addDays(TODAY, s.days - 1);
        for (const b of result.bookings) {
          if (fits || b.day !== last) expect(u(b.hours)).toBeLessThanOrEqual(free(b.day));
        }
        if (!fits) expect(result.findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);
      }),
    );
  });

  it('a required amount is never rounded to nothing, and many small orders sum exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 10_000 }), (quantity, microPerUnit) => {
        const h = requiredHours([{ sku: 'A', quantity, unitPriceMinor: 1 }], { A: microPerUnit / MICRO });
        expect(u(h)).toBe(quantity * microPerUnit);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1e-3, noNaN: true }), (rate) => {
        expect(requiredHours([{ sku: 'A', quantity: 1, unitPriceMinor: 1 }], { A: rate })).toBeGreaterThan(0);
      }),
    );
  });
});
