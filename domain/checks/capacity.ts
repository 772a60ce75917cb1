/** Production's automatic check: can the free hours before the delivery date absorb the order's work? */
import { countWorkingDays, isWorkingDay, lastWorkingDayBefore, workingDaysBetween } from '../calendar';
import { addDays, daysBetween, isIsoDate } from '../dates';
import type { BusinessCalendar, Finding, OrderLine } from '../types';

/*
 * Hours are planned in integer micro-hours (3.6 ms). Rounding each order to 0.01 h let an order of 0.004 h book
 * nothing, so any number of small orders passed a full day; integers also sum without float drift. A
 * requirement is rounded *up* to the micro-hour, so no order with work is too small to count.
 */
const UNITS_PER_HOUR = 1_000_000;

/** Hours already on the micro-hour grid (stored bookings, capacity settings), as units. */
const units = (h: number): number => Math.round(h * UNITS_PER_HOUR);
/**
 * Hours a requirement needs, as units: rounded up, so any work counts at least one unit. The relative margin
 * drops float noise first (3 × 0.1 + 7 × 0.05 is 0.65000000000000002 h, which must stay 650000 units).
 */
const unitsUp = (h: number): number => {
  const raw = h * UNITS_PER_HOUR;
  return Math.max(0, Math.ceil(raw - Math.abs(raw) * 1e-12));
};
const toHours = (u: number): number => u / UNITS_PER_HOUR;

/** "39.00", or as many decimals as a small amount needs ("0.004"). */
function hours(u: number): string {
  const h = toHours(u);
  const two = h.toFixed(2);
  return Number(two) === h ? two : h.toFixed(6).replace(/0+$/, '');
}

/** Production hours the lines need: Σ quantity × hours per unit, rounded up to the micro-hour. SKUs without a rate count 0. */
export function requiredHours(lines: OrderLine[], hoursPerUnit: Record<string, number>): number {
  return toHours(unitsUp(lines.reduce((sum, line) => sum + line.quantity * (hoursPerUnit[line.sku] ?? 0), 0)));
}

/** The production days from `today` (inclusive) to `end` (exclusive): every day, or a calendar's working days. */
function productionDays(today: string, end: string, calendar: BusinessCalendar | undefined) {
  const valid = isIsoDate(end) && end > today;
  if (calendar) {
    return {
      count: valid ? countWorkingDays(today, end, calendar) : 0,
      isProduction: (day: string) => isWorkingDay(day, calendar),
      walk: () => (valid ? workingDaysBetween(today, end, calendar) : [][Symbol.iterator]()),
      last: () => lastWorkingDayBefore(end, today, calendar)!,
    };
  }
  const count = valid ? Math.max(0, daysBetween(today, end)) : 0;
  return {
    count,
    isProduction: () => true,
    walk: function* () {
      for (let i = 0; i < count; i++) yield addDays(today, i);
    },
    last: () => addDays(today, count - 1),
  };
}

/**
 * Plans the order's hours on the production days from `today` (inclusive) to the delivery date (exclusive),
 * earliest days first — every day, or with a business calendar only its working days. When the hours do not fit,
 * the plan still books the rest on the last production day, so that an "approve anyway" decision can book everything.
 */
export function planCapacity(input: {
  requiredHours: number;
  today: string;
  requestedDeliveryDate: string;
  hoursPerDay: number;
  bookedByDay: Record<string, number>;
  calendar?: BusinessCalendar;
}): { findings: Finding[]; bookings: { day: string; hours: number }[]; freeHours: number } {
  const { today, requestedDeliveryDate: delivery, bookedByDay } = input;
  const required = unitsUp(input.requiredHours);
  const perDay = Math.max(0, units(input.hoursPerDay));
  const production = productionDays(today, delivery, input.calendar);
  const days = production.count;
  const freeOn = (day: string): number => Math.max(0, perDay - Math.max(0, units(bookedByDay[day] ?? 0)));

  // Sum the free hours without walking every day: days with no booking are entirely free, so only the
  // booked days inside the window need a look (a far-off delivery date must not cost millions of steps).
  let free = days * perDay;
  if (days > 0) {
    for (const [day, booked] of Object.entries(bookedByDay)) {
      if (isIsoDate(day) && day >= today && day < delivery && booked > 0 && production.isProduction(day)) free -= perDay - freeOn(day);
    }
  }
  const freeHours = toHours(free);

  if (required <= 0) return { findings: [], bookings: [], freeHours };

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

  const bookings: { day: string; units: number }[] = [];
  let remaining = required;
  // With no free hours per day nothing can fit, so skip the walk; otherwise it stops once the order is
  // planned, and when it does not fit it only visits days that are booked or that absorb hours.
  if (perDay > 0) {
    for (const day of production.walk()) {
      if (remaining <= 0) break;
      const take = Math.min(freeOn(day), remaining);
      if (take > 0) {
        bookings.push({ day, units: take });
        remaining -= take;
      }
    }
  }

  const findings: Finding[] = [];
  if (remaining > 0) {
    const lastDay = production.last();
    findings.push({
      code: 'CAPACITY_INSUFFICIENT',
      message:
        `the order needs ${hours(required)} production hours but only ${hours(free)} are free ` +
        `before the requested delivery date ${delivery} (short by ${hours(required - free)})`,
    });
    const last = bookings[bookings.length - 1];
    if (last && last.day === lastDay) last.units += remaining;
    else bookings.push({ day: lastDay, units: remaining });
  }
  return { findings, bookings: bookings.map((b) => ({ day: b.day, hours: toHours(b.units) })), freeHours };
}
