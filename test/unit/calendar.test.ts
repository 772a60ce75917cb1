import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWorkingTime,
  type BusinessCalendar,
  businessDeadline,
  businessMs,
  calendarDay,
  countWorkingDays,
  isWorkingDay,
  isWorkingTime,
  lastWorkingDayBefore,
  workingDayMs,
  workingDaysBetween,
} from '../../domain/calendar';
import { addDays, daysBetween } from '../../domain/dates';

const HOUR = 3_600_000;

/** The contract's example calendar. 2027-01-01 is a Friday. */
const SHANGHAI: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  workingHours: ['09:00', '18:00'],
  holidays: ['2027-01-01'],
};
const BERLIN: BusinessCalendar = { ...SHANGHAI, timeZone: 'Europe/Berlin', holidays: [] };

/** Epoch ms of a local time ("2026-06-05T17:30") in `zone`. */
function at(local: string, zone = SHANGHAI.timeZone): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${local}`);
  return dt.toMillis();
}
/** A deadline as local time with its offset, so a failing assertion reads like the calendar. */
function local(ms: number, zone = SHANGHAI.timeZone): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? 'invalid';
}

describe('businessDeadline', () => {
  it('"2bh" started Friday 17:30 reminds Monday 10:30 (the issue\'s example)', () => {
    // 2026-06-05 is a Friday: 30 minutes on Friday, 90 on Monday.
    expect(local(businessDeadline(at('2026-06-05T17:30'), { amount: 2, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T10:30:00+08:00');
  });

  it('a business day is the working day\'s length in business hours: "2bd" from Friday 17:30 is Tuesday 17:30', () => {
    expect(workingDayMs(SHANGHAI)).toBe(9 * HOUR);
    expect(businessMs({ amount: 2, unit: 'bd' }, SHANGHAI)).toBe(18 * HOUR);
    expect(local(businessDeadline(at('2026-06-05T17:30'), { amount: 2, unit: 'bd' }, SHANGHAI))).toBe('2026-06-09T17:30:00+08:00');
    // From an opening, N business days end at the Nth closing, not at the next morning.
    expect(local(businessDeadline(at('2026-06-08T09:00'), { amount: 2, unit: 'bd' }, SHANGHAI))).toBe('2026-06-09T18:00:00+08:00');
  });

  it('counts from the opening when started exactly at it or just before it', () => {
    expect(local(businessDeadline(at('2026-06-08T09:00'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T10:00:00+08:00');
    expect(local(businessDeadline(at('2026-06-08T08:59:59.999'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T10:00:00+08:00');
    expect(local(businessDeadline(at('2026-06-08T03:00'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T10:00:00+08:00');
  });

  it('a start exactly at closing counts from the next opening; one millisecond earlier leaves one millisecond', () => {
    expect(local(businessDeadline(at('2026-06-08T18:00'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2026-06-09T10:00:00+08:00');
    expect(businessDeadline(at('2026-06-08T17:59:59.999'), { amount: 1, unit: 'bh' }, SHANGHAI)).toBe(at('2026-06-09T09:59:59.999'));
    expect(addWorkingTime(at('2026-06-08T17:59:59.999'), 1, SHANGHAI)).toBe(at('2026-06-08T18:00'));
    expect(addWorkingTime(at('2026-06-08T17:59:59.999'), 2, SHANGHAI)).toBe(at('2026-06-09T09:00:00.001'));
  });

  it('ends at the closing time when the day\'s working time is used up exactly (0 remaining at day end)', () => {
    expect(local(businessDeadline(at('2026-06-08T17:00'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T18:00:00+08:00');
    expect(local(businessDeadline(at('2026-06-08T09:00'), { amount: 9, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T18:00:00+08:00');
    expect(local(businessDeadline(at('2026-06-05T09:00'), { amount: 1, unit: 'bd' }, SHANGHAI))).toBe('2026-06-05T18:00:00+08:00');
  });

  it('zero working time: the instant itself inside working time, otherwise the next opening', () => {
    expect(addWorkingTime(at('2026-06-08T12:34:56.789'), 0, SHANGHAI)).toBe(at('2026-06-08T12:34:56.789'));
    expect(local(addWorkingTime(at('2026-06-08T18:00'), 0, SHANGHAI))).toBe('2026-06-09T09:00:00+08:00');
    expect(local(addWorkingTime(at('2026-06-06T12:00'), 0, SHANGHAI))).toBe('2026-06-08T09:00:00+08:00');
  });

  it('skips weekends', () => {
    expect(local(businessDeadline(at('2026-06-06T10:00'), { amount: 3, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T12:00:00+08:00'); // Saturday
    expect(local(businessDeadline(at('2026-06-07T23:59:59.999'), { amount: 3, unit: 'bh' }, SHANGHAI))).toBe('2026-06-08T12:00:00+08:00'); // Sunday night
  });

  it('skips holidays: from Thursday 2026-12-31 17:00 over the New Year holiday and the weekend', () => {
    expect(local(businessDeadline(at('2026-12-31T17:00'), { amount: 2, unit: 'bh' }, SHANGHAI))).toBe('2027-01-04T10:00:00+08:00');
    expect(local(businessDeadline(at('2027-01-01T10:00'), { amount: 1, unit: 'bh' }, SHANGHAI))).toBe('2027-01-04T10:00:00+08:00');
  });

  it('keeps the wall clock across a DST weekend: Friday 17:00 + "2bh" in Berlin is Monday 10:00 summer time', () => {
    // Clocks go forward on Sunday 2026-03-29; the working hours stay 09:00–18:00 local.
    const deadline = businessDeadline(at('2026-03-27T17:00', BERLIN.timeZone), { amount: 2, unit: 'bh' }, BERLIN);
    expect(local(deadline, BERLIN.timeZone)).toBe('2026-03-30T10:00:00+02:00');
    expect(new Date(deadline).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('counts real elapsed time when a DST change falls inside the working hours', () => {
    const night: BusinessCalendar = { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5, 6, 7], workingHours: ['01:00', '05:00'], holidays: [] };
    const z = night.timeZone;
    // Spring forward (02:00 → 03:00): 01:00–05:00 holds only 3 real hours.
    expect(local(addWorkingTime(at('2026-03-29T01:00', z), 3 * HOUR, night), z)).toBe('2026-03-29T05:00:00+02:00');
    expect(local(addWorkingTime(at('2026-03-29T01:00', z), 4 * HOUR, night), z)).toBe('2026-03-30T02:00:00+02:00');
    // Fall back (03:00 → 02:00): the same window holds 5 real hours.
    expect(local(addWorkingTime(at('2026-10-25T01:00', z), 5 * HOUR, night), z)).toBe('2026-10-25T05:00:00+01:00');
    expect(local(addWorkingTime(at('2026-10-25T01:00', z), 4 * HOUR, night), z)).toBe('2026-10-25T04:00:00+01:00');
  });

  it('refuses negative or fractional working time', () => {
    expect(() => addWorkingTime(0, -1, SHANGHAI)).toThrow(/invalid working time -1/);
    expect(() => addWorkingTime(0, 0.5, SHANGHAI)).toThrow(/invalid working time 0.5/);
  });
});

describe('isWorkingTime', () => {
  it('is true from the opening (inclusive) to the closing (exclusive) of working days', () => {
    expect(isWorkingTime(at('2026-06-08T09:00'), SHANGHAI)).toBe(true);
    expect(isWorkingTime(at('2026-06-08T08:59:59.999'), SHANGHAI)).toBe(false);
    expect(isWorkingTime(at('2026-06-08T17:59:59.999'), SHANGHAI)).toBe(true);
    expect(isWorkingTime(at('2026-06-08T18:00'), SHANGHAI)).toBe(false);
    expect(isWorkingTime(at('2026-06-06T12:00'), SHANGHAI)).toBe(false); // Saturday
    expect(isWorkingTime(at('2027-01-01T12:00'), SHANGHAI)).toBe(false); // holiday
    expect(isWorkingTime(new Date(at('2026-06-08T12:00')), SHANGHAI)).toBe(true);
  });
});

describe('calendarDay', () => {
  it('is the date in the calendar\'s zone: a Shanghai order placed at 07:30 is today\'s, not yesterday\'s (UTC)', () => {
    const placed = at('2026-06-10T07:30');
    expect(new Date(placed).toISOString()).toBe('2026-06-09T23:30:00.000Z');
    expect(calendarDay(placed, SHANGHAI)).toBe('2026-06-10');
    expect(calendarDay(new Date(placed), SHANGHAI)).toBe('2026-06-10');
    expect(calendarDay(at('2026-06-10T23:59:59.999'), SHANGHAI)).toBe('2026-06-10');
    expect(calendarDay(at('2026-06-11T00:00'), SHANGHAI)).toBe('2026-06-11');
  });
});

describe('working days for capacity', () => {
  it('isWorkingDay: weekdays yes, weekends and holidays no', () => {
    expect(isWorkingDay('2026-12-31', SHANGHAI)).toBe(true);
    expect(isWorkingDay('2027-01-01', SHANGHAI)).toBe(false);
    expect(isWorkingDay('2027-01-02', SHANGHAI)).toBe(false);
    expect(isWorkingDay('2027-01-03', SHANGHAI)).toBe(false);
    expect(isWorkingDay('2027-01-04', SHANGHAI)).toBe(true);
    expect(() => isWorkingDay('2027-02-30', SHANGHAI)).toThrow(/invalid date/);
  });

  it('counts and lists the working days from a date (inclusive) to a date (exclusive)', () => {
    expect(countWorkingDays('2026-12-28', '2027-01-04', SHANGHAI)).toBe(4); // Mon–Thu; Friday is the holiday
    expect([...workingDaysBetween('2026-12-28', '2027-01-05', SHANGHAI)]).toEqual(['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-04']);
    expect(countWorkingDays('2027-01-01', '2027-01-08', SHANGHAI)).toBe(4); // starts on the holiday
    expect(countWorkingDays('2027-01-04', '2027-01-04', SHANGHAI)).toBe(0);
    expect(countWorkingDays('2027-01-05', '2027-01-04', SHANGHAI)).toBe(0);
    expect(lastWorkingDayBefore('2027-01-04', '2026-12-01', SHANGHAI)).toBe('2026-12-31');
    expect(lastWorkingDayBefore('2027-01-04', '2027-01-01', SHANGHAI)).toBeNull();
  });

  it('handles far-off dates without walking every day', () => {
    const started = performance.now();
    const count = countWorkingDays('2026-01-01', '9999-12-31', SHANGHAI);
    const first = workingDaysBetween('2026-12-31', '9999-12-31', SHANGHAI);
    expect([first.next().value, first.next().value]).toEqual(['2026-12-31', '2027-01-04']);
    expect(performance.now() - started).toBeLessThan(200);
    // Additive over a split, so the whole weeks are counted right.
    expect(count).toBe(countWorkingDays('2026-01-01', '5000-03-01', SHANGHAI) + countWorkingDays('5000-03-01', '9999-12-31', SHANGHAI));
    expect(count).toBeGreaterThan(0.7 * daysBetween('2026-01-01', '9999-12-31'));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties over random calendars, including zones with DST (Berlin, New York, Sydney, Santiago at midnight).

const ZONES = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kathmandu', 'UTC'];
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 11, 31);
const hhmm = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

const calendarArb: fc.Arbitrary<BusinessCalendar> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    open: fc.integer({ min: 0, max: 23 * 60 }),
    length: fc.integer({ min: 60, max: 24 * 60 - 1 }),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: daysBetween('2026-01-01', '2028-12-31') }), { maxLength: 40 }),
  })
  .map(({ timeZone, workingDays, open, length, holidays }) => ({
    timeZone,
    workingDays: [...workingDays].sort(),
    workingHours: [hhmm(open), hhmm(Math.min(open + length, 23 * 60 + 59))] as [string, string], // at least 59 minutes
    holidays: holidays.map((d) => addDays('2026-01-01', d)).sort(),
  }));
/** DST changes of the zones above in 2026, so that many runs start shortly before one. */
const DST_CHANGES = [
  '2026-03-29T01:00Z', '2026-10-25T01:00Z', // Berlin
  '2026-03-08T07:00Z', '2026-11-01T06:00Z', // New York
  '2026-04-04T16:00Z', '2026-10-03T16:00Z', // Sydney
  '2026-04-05T03:00Z', '2026-09-06T04:00Z', // Santiago (at local midnight)
].map((iso) => Date.parse(iso));
const instantArb = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -4 * 24 * HOUR, max: 24 * HOUR })).map(([change, offset]) => change + offset),
);
/** Working time up to 40 business hours, millisecond-grained. */
const workingMsArb = fc.integer({ min: 0, max: 40 * HOUR });

describe('addWorkingTime properties', () => {
  it('is never earlier than start + the duration, and ends in working time or exactly at a closing', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, workingMsArb, (cal, start, ms) => {
        const deadline = addWorkingTime(start, ms, cal);
        expect(deadline).toBeGreaterThanOrEqual(start + ms);
        // Its last millisecond is working time (so it is inside, or exactly at a closing); 0 ms: it is working time.
        expect(isWorkingTime(ms === 0 ? deadline : deadline - 1, cal), `${local(deadline, cal.timeZone)} in ${JSON.stringify(cal)}`).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('is monotonic in the start', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, workingMsArb, (cal, a, b, ms) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(addWorkingTime(early, ms, cal)).toBeLessThanOrEqual(addWorkingTime(late, ms, cal));
      }),
      { numRuns: 200 },
    );
  });

  it('is monotonic in the duration, and adding in two parts is adding the sum', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, workingMsArb, workingMsArb, (cal, start, x, y) => {
        const [shorter, longer] = x <= y ? [x, y] : [y, x];
        expect(addWorkingTime(start, shorter, cal)).toBeLessThanOrEqual(addWorkingTime(start, longer, cal));
        if (shorter > 0) {
          expect(addWorkingTime(addWorkingTime(start, longer, cal), shorter, cal)).toBe(addWorkingTime(start, longer + shorter, cal));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('business days are working-day lengths of business hours', () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 5 }), (cal, start, n) => {
        const byDays = businessDeadline(start, { amount: n, unit: 'bd' }, cal);
        expect(byDays).toBe(addWorkingTime(start, n * workingDayMs(cal), cal));
      }),
      { numRuns: 100 },
    );
  });
});

describe('working-day counting properties', () => {
  it('countWorkingDays equals walking the days one by one', () => {
    const holidayOffsets = fc.uniqueArray(fc.integer({ min: -2, max: 60 }), { maxLength: 20 });
    fc.assert(
      fc.property(calendarArb, fc.integer({ min: 0, max: 900 }), fc.integer({ min: -3, max: 60 }), holidayOffsets, (anyCal, offset, span, near) => {
        const from = addDays('2026-01-01', offset);
        const to = addDays(from, span);
        // Holidays around the range (its first and last day included), where an off-by-one would show.
        const cal = { ...anyCal, holidays: near.map((d) => addDays(from, d)).sort() };
        // An oracle of its own: the weekday from Date (Sunday = 0), the holidays as given.
        let walked = 0;
        for (let d = from; d < to; d = addDays(d, 1)) {
          const weekday = new Date(`${d}T00:00:00Z`).getUTCDay() || 7;
          if (cal.workingDays.includes(weekday) && !cal.holidays.includes(d)) walked++;
        }
        expect(countWorkingDays(from, to, cal)).toBe(walked);
        expect([...workingDaysBetween(from, to, cal)]).toHaveLength(walked);
      }),
      { numRuns: 100 },
    );
  });
});
