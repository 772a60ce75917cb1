/** The waiting step's deadlines: business durations count only working time; without a calendar, wall-clock as ever. */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planCapacity } from '../../domain/checks/capacity';
import { BUILT_IN_POLICY, parsePolicy } from '../../domain/policy';
import { stepDeadlines } from '../../domain/step-deadlines';
import type { BusinessCalendar } from '../../domain/types';

const calendar: BusinessCalendar = { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], workingHours: ['09:00', '18:00'], holidays: ['2027-01-01'] };
const shanghai = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' }).toMillis();
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Asia/Shanghai' }).toFormat("ccc yyyy-MM-dd HH:mm");

function policyWith(credit: { reminderAfter: string; escalateAfter: string; timeoutAfter: string }) {
  return parsePolicy({ ...BUILT_IN_POLICY, calendar, steps: { ...BUILT_IN_POLICY.steps, credit: { ...credit, onTimeout: 'reject' } } });
}

describe('step deadlines', () => {
  it('"2bh" started Friday 17:30 in the calendar\'s zone reminds Monday 10:30', () => {
    const p = policyWith({ reminderAfter: '2bh', escalateAfter: '1bd', timeoutAfter: '2bd' });
    const d = stepDeadlines(shanghai('2026-12-04T17:30'), p.steps.credit, p.calendar);
    expect(local(d.reminderAt)).toBe('Mon 2026-12-07 10:30');
    expect(local(d.escalateAt)).toBe('Mon 2026-12-07 17:30');
    expect(local(d.timeoutAt)).toBe('Tue 2026-12-08 17:30');
  });

  it('skips the holiday and the weekend around it', () => {
    const p = policyWith({ reminderAfter: '1bh', escalateAfter: '9bh', timeoutAfter: '1bd' });
    const d = stepDeadlines(shanghai('2026-12-31T17:30'), p.steps.credit, p.calendar);
    expect(local(d.reminderAt)).toBe('Mon 2027-01-04 09:30');
    expect(local(d.escalateAt)).toBe('Mon 2027-01-04 17:30');
  });

  it('without business durations the deadlines are the wall-clock offsets, calendar or not', () => {
    const start = Date.parse('2026-12-04T09:30:00Z');
    const wall = parsePolicy(BUILT_IN_POLICY).steps.credit;
    expect(stepDeadlines(start, wall, undefined)).toEqual({
      reminderAt: start + 8 * 3_600_000,
      escalateAt: start + 24 * 3_600_000,
      timeoutAt: start + 48 * 3_600_000,
    });
    const withCalendar = parsePolicy({ ...BUILT_IN_POLICY, calendar });
    expect(stepDeadlines(start, withCalendar.steps.credit, withCalendar.calendar).reminderAt).toBe(start + 8 * 3_600_000);
  });
});

describe('capacity on working days', () => {
  it('counts and books only working days; a weekend in between adds nothing', () => {
    // Friday 2026-12-04 to Tuesday 2026-12-08 (exclusive): Friday and Monday are the production days.
    const base = { today: '2026-12-04', requestedDeliveryDate: '2026-12-08', hoursPerDay: 8, bookedByDay: {} };
    expect(planCapacity({ ...base, requiredHours: 16 })).toMatchObject({ freeHours: 32, findings: [] });
    const planned = planCapacity({ ...base, requiredHours: 16, calendar });
    expect(planned).toMatchObject({ freeHours: 16, findings: [] });
    expect(planned.bookings).toEqual([{ day: '2026-12-04', hours: 8 }, { day: '2026-12-07', hours: 8 }]);
    const short = planCapacity({ ...base, requiredHours: 17, calendar });
    expect(short.findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);
    // The rest lands on the last working day before the delivery date, not on Sunday.
    expect(short.bookings.at(-1)).toEqual({ day: '2026-12-07', hours: 9 });
  });

  it('a booked Saturday does not lower the working days\' free hours', () => {
    const p = planCapacity({ today: '2026-12-04', requestedDeliveryDate: '2026-12-08', hoursPerDay: 8, bookedByDay: { '2026-12-05': 8 }, requiredHours: 1, calendar });
    expect(p.freeHours).toBe(16);
  });
});
