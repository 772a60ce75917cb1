/** Production's automatic check: can the free hours before the delivery date absorb the order's work? */
import { addDays, daysBetween, isIsoDate } from '../dates';
import type { Finding, OrderLine } from '../types';

// Hours are fractional (0.05 h per unit); compare with a tolerance so float noise never flips a verdict.
const EPSILON = 1e-6;

const round2 = (n: number): number => Math.round(n * 100) / 100;
const hours = (n: number): string => round2(n).toFixed(2);

/** Production hours the lines need: Σ quantity × hours per unit, rounded to 2 decimals. SKUs without a rate count 0. */
export function requiredHours(lines: OrderLine[], hoursPerUnit: Record<string, number>): number {
  return round2(lines.reduce((sum, line) => sum + line.quantity * (hoursPerUnit[line.sku] ?? 0), 0));
}

/**
 * Plans the order's hours on the production days from `today` (inclusive) to the delivery date (exclusive),
 * earliest days first. When the hours do not fit, the plan still books the rest on the last production day,
 * so that an "approve anyway" decision can book everything.
 */
export function planCapacity(input: {
  requiredHours: number;
  today: string;
  requestedDeliveryDate: string;
  hoursPerDay: number;
  bookedByDay: Record<string, number>;
}): { findings: Finding[]; bookings: { day: string; hours: number }[]; freeHours: number } {
  const { today, requestedDeliveryDate: delivery, hoursPerDay, bookedByDay } = input;
  const required = input.requiredHours;
  const days = isIsoDate(delivery) ? Math.max(0, daysBetween(today, delivery)) : 0;
  const hoursPerDayFree = Math.max(0, hoursPerDay);
  const freeOn = (day: string): number => Math.max(0, hoursPerDay - Math.max(0, bookedByDay[day] ?? 0));

  // Sum the free hours without walking every day: days with no booking are entirely free, so only the
  // booked days inside the window need a look (a far-off delivery date must not cost millions of steps).
  let freeHours = days * hoursPerDayFree;
  if (days > 0) {
    const end = addDays(today, days);
    for (const [day, booked] of Object.entries(bookedByDay)) {
      if (isIsoDate(day) && day >= today && day < end && booked > 0) {
        freeHours -= hoursPerDayFree - freeOn(day);
      }
    }
  }
  freeHours = round2(freeHours);

  if (required <= EPSILON) return { findings: [], bookings: [], freeHours };

  if (days === 0) {
    return {
      findings: [
        {
          code: 'NO_PRODUCTION_DAYS',
          message:
            `there are no production days between today (${today}) and the requested delivery date ` +
            `(${delivery}); ${hours(required)} hours are needed`,
        },
      ],
      bookings: [],
      freeHours: 0,
    };
  }

  const bookings: { day: string; hours: number }[] = [];
  let remaining = required;
  // With no free hours per day nothing can fit, so skip the walk; otherwise it stops once the order is
  // planned, and when it does not fit it only visits days that are booked or that absorb hours.
  for (let i = 0; hoursPerDayFree > 0 && i < days && remaining > EPSILON; i++) {
    const day = addDays(today, i);
    const take = Math.min(freeOn(day), remaining);
    if (take > EPSILON) {
      bookings.push({ day, hours: round2(take) });
      remaining -= take;
    }
  }

  const findings: Finding[] = [];
  if (remaining > EPSILON) {
    const lastDay = addDays(today, days - 1);
    findings.push({
      code: 'CAPACITY_INSUFFICIENT',
      message:
        `the order needs ${hours(required)} production hours but only ${hours(freeHours)} are free ` +
        `before the requested delivery date ${delivery} (short by ${hours(required - freeHours)})`,
    });
    const last = bookings[bookings.length - 1];
    if (last && last.day === lastDay) {
      last.hours = round2(last.hours + remaining);
    } else {
      bookings.push({ day: lastDay, hours: round2(remaining) });
    }
  }
  return { findings, bookings, freeHours };
}
