/** The policy's v1.1 parts (contract section 12): the business calendar, business durations, reReview. */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { businessDeadline } from '../../domain/calendar';
import { BUILT_IN_POLICY, parsePolicy, PolicyError, type RawPolicy } from '../../domain/policy';

const HOUR = 3_600_000;
const CALENDAR = { timeZone: 'Asia/Shanghai', workingDays: [1, 2, 3, 4, 5], workingHours: ['09:00', '18:00'], holidays: ['2027-01-01'] };

/** The built-in policy with `edit` applied, as untyped JSON. */
function variant(edit: (p: Record<string, any>) => void): unknown {
  const copy = structuredClone(BUILT_IN_POLICY) as unknown as Record<string, any>;
  edit(copy);
  return copy;
}
const withCalendar = (edit: (p: Record<string, any>) => void = () => undefined): unknown =>
  variant((p) => {
    p.calendar = structuredClone(CALENDAR);
    edit(p);
  });

/** Every problem PolicyError lists, as "path: message" lines; fails when parsing succeeds. */
function problems(json: unknown): string[] {
  try {
    parsePolicy(json);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected parsePolicy to throw a PolicyError');
}

describe('a policy without a calendar', () => {
  it('resolves exactly as before, plus reReview "changed"', () => {
    const wall = (reminder: number, escalate: number, timeout: number) => ({
      reminderAfterMs: reminder * HOUR,
      escalateAfterMs: escalate * HOUR,
      timeoutAfterMs: timeout * HOUR,
      onTimeout: 'reject',
    });
    expect(parsePolicy(BUILT_IN_POLICY)).toStrictEqual({
      autoApprove: { finalApprovalLimitMinor: 5_000_000, maxRiskScore: 30 },
      segregationOfDuties: true,
      stages: [['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']],
      maxRevisions: 3,
      steps: {
        info_check: wall(4, 8, 24),
        credit: wall(8, 24, 48),
        capacity: wall(8, 24, 48),
        materials: wall(8, 24, 48),
        special_requirements: wall(24, 48, 120),
        final_approval: wall(4, 24, 48),
      },
      changesRequestedTimeoutMs: 7 * 24 * HOUR,
      reReview: 'changed',
    });
  });

  it('takes reReview "all" and refuses anything else', () => {
    expect(parsePolicy(variant((p) => (p.reReview = 'all'))).reReview).toBe('all');
    expect(problems(variant((p) => (p.reReview = 'some')))).toEqual([expect.stringMatching(/^reReview: /)]);
  });

  it('refuses business durations, naming the missing calendar', () => {
    expect(problems(variant((p) => (p.steps.credit = { reminderAfter: '8bh', escalateAfter: '2bd', timeoutAfter: '3bd', onTimeout: 'reject' })))).toEqual([
      'steps.credit.reminderAfter: 8bh is a business duration: it needs a "calendar" in the policy (or use ms, s, m, h, d)',
      'steps.credit.escalateAfter: 2bd is a business duration: it needs a "calendar" in the policy (or use ms, s, m, h, d)',
      'steps.credit.timeoutAfter: 3bd is a business duration: it needs a "calendar" in the policy (or use ms, s, m, h, d)',
    ]);
  });
});

describe('a policy with a calendar', () => {
  it('resolves the calendar and business durations; wall-clock steps stay as they were', () => {
    const policy = parsePolicy(
      withCalendar((p) => {
        p.calendar.workingDays = [5, 1, 3, 2, 4];
        p.calendar.holidays = ['2027-10-01', '2027-01-01'];
        p.steps.credit = { reminderAfter: '8bh', escalateAfter: '2bd', timeoutAfter: '3bd', onTimeout: 'expire' };
      }),
    );
    expect(policy.calendar).toStrictEqual({
      timeZone: 'Asia/Shanghai',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: ['09:00', '18:00'],
      holidays: ['2027-01-01', '2027-10-01'],
    });
    expect(policy.steps.credit).toStrictEqual({
      // The nominal working time (a business day = 9 h here): the earliest the real deadline can be.
      reminderAfterMs: 8 * HOUR,
      escalateAfterMs: 18 * HOUR,
      timeoutAfterMs: 27 * HOUR,
      onTimeout: 'expire',
      business: {
        reminderAfter: { amount: 8, unit: 'bh' },
        escalateAfter: { amount: 2, unit: 'bd' },
        timeoutAfter: { amount: 3, unit: 'bd' },
      },
    });
    expect(policy.steps.info_check).toStrictEqual({ reminderAfterMs: 4 * HOUR, escalateAfterMs: 8 * HOUR, timeoutAfterMs: 24 * HOUR, onTimeout: 'reject' });
  });

  it('gives what the workflow needs for "2bh" from Friday 17:30 → Monday 10:30', () => {
    const policy = parsePolicy(withCalendar((p) => (p.steps.credit = { reminderAfter: '2bh', escalateAfter: '1bd', timeoutAfter: '2bd', onTimeout: 'reject' })));
    const friday = DateTime.fromISO('2026-06-05T17:30', { zone: 'Asia/Shanghai' }).toMillis();
    const reminder = businessDeadline(friday, policy.steps.credit.business!.reminderAfter, policy.calendar!);
    expect(DateTime.fromMillis(reminder, { zone: 'Asia/Shanghai' }).toISO()).toBe('2026-06-08T10:30:00.000+08:00');
  });

  it('holidays are optional', () => {
    expect(parsePolicy(withCalendar((p) => delete p.calendar.holidays)).calendar?.holidays).toEqual([]);
  });

  it('orders business durations by their working time (a business day = the working day\'s hours)', () => {
    expect(parsePolicy(withCalendar((p) => (p.steps.credit = { reminderAfter: '1bd', escalateAfter: '9bh', timeoutAfter: '9bh', onTimeout: 'reject' }))).steps.credit.timeoutAfterMs).toBe(9 * HOUR);
    expect(problems(withCalendar((p) => (p.steps.credit = { reminderAfter: '2bd', escalateAfter: '17bh', timeoutAfter: '3bd', onTimeout: 'reject' })))).toEqual([
      'steps.credit.reminderAfter: reminderAfter (2bd) must not be longer than escalateAfter (17bh)',
    ]);
    expect(problems(withCalendar((p) => (p.steps.credit = { reminderAfter: '1bh', escalateAfter: '2bd', timeoutAfter: '17bh', onTimeout: 'reject' })))).toEqual([
      'steps.credit.escalateAfter: escalateAfter (2bd) must not be longer than timeoutAfter (17bh)',
    ]);
  });

  it('refuses wall-clock and business durations mixed within one step', () => {
    expect(problems(withCalendar((p) => (p.steps.materials = { reminderAfter: '4h', escalateAfter: '2bd', timeoutAfter: '3bd', onTimeout: 'reject' })))).toEqual([
      'steps.materials: mixes wall-clock and business durations (reminderAfter 4h, escalateAfter 2bd, timeoutAfter 3bd): use business units (bh, bd) for all three or for none',
    ]);
  });

  it('keeps changesRequestedTimeout wall-clock', () => {
    expect(problems(withCalendar((p) => (p.changesRequestedTimeout = '5bd')))).toEqual([
      'changesRequestedTimeout: must be wall-clock (ms, s, m, h, d): it waits for the customer to amend, not for a department',
    ]);
  });

  it('refuses a malformed business duration', () => {
    expect(problems(withCalendar((p) => (p.steps.credit.reminderAfter = '1.5bh')))).toEqual([expect.stringMatching(/^steps\.credit\.reminderAfter: must be a duration/)]);
    expect(problems(withCalendar((p) => (p.steps.credit.reminderAfter = '0bh')))).toEqual([expect.stringMatching(/^steps\.credit\.reminderAfter: must be a duration/)]);
  });
});

describe('calendar validation', () => {
  const cases: [string, (c: Record<string, any>) => void, RegExp][] = [
    ['an unknown time zone', (c) => (c.timeZone = 'Mars/Olympus_Mons'), /^calendar\.timeZone: must be an IANA time zone/],
    ['a UTC offset instead of a zone', (c) => (c.timeZone = '+08:00'), /^calendar\.timeZone: must be an IANA time zone/],
    ['no working days', (c) => (c.workingDays = []), /^calendar\.workingDays: at least one working day/],
    ['weekday 0', (c) => (c.workingDays = [0, 1]), /^calendar\.workingDays\.0: must be an ISO weekday/],
    ['weekday 8', (c) => (c.workingDays = [1, 8]), /^calendar\.workingDays\.1: must be an ISO weekday/],
    ['a weekday twice', (c) => (c.workingDays = [1, 2, 1]), /^calendar\.workingDays: each weekday may appear only once/],
    ['a fractional weekday', (c) => (c.workingDays = [1.5]), /^calendar\.workingDays\.0: /],
    ['closing before opening', (c) => (c.workingHours = ['18:00', '09:00']), /^calendar\.workingHours: the opening time must be before the closing time/],
    ['opening equal to closing', (c) => (c.workingHours = ['09:00', '09:00']), /^calendar\.workingHours: the opening time must be before/],
    ['a time without its leading zero', (c) => (c.workingHours = ['9:00', '18:00']), /^calendar\.workingHours\.0: must be a time of day "HH:MM"/],
    ['24:00', (c) => (c.workingHours = ['09:00', '24:00']), /^calendar\.workingHours\.1: must be a time of day "HH:MM"/],
    ['one time only', (c) => (c.workingHours = ['09:00']), /^calendar\.workingHours/],
    ['a date that does not exist', (c) => (c.holidays = ['2027-02-30']), /^calendar\.holidays\.0: must be a real calendar date/],
    ['a holiday twice', (c) => (c.holidays = ['2027-01-01', '2027-01-01']), /^calendar\.holidays: each holiday may appear only once/],
    ['an unknown key', (c) => (c.weekend = [6, 7]), /^calendar: .*weekend/],
    ['a missing time zone', (c) => delete c.timeZone, /^calendar\.timeZone: /],
  ];
  it.each(cases)('refuses %s', (_what, edit, expected) => {
    const found = problems(withCalendar((p) => edit(p.calendar)));
    expect(found).toEqual([expect.stringMatching(expected)]);
  });

  it('accepts any weekday set and zone luxon knows, e.g. a Sunday-to-Thursday week in Dubai', () => {
    const raw: RawPolicy = { ...BUILT_IN_POLICY, calendar: { timeZone: 'Asia/Dubai', workingDays: [7, 1, 2, 3, 4], workingHours: ['08:00', '16:30'], holidays: [] } };
    expect(parsePolicy(raw).calendar?.workingDays).toEqual([1, 2, 3, 4, 7]);
  });
});
