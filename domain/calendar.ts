/**
 * The business calendar (contract section 12): when working time runs, and which day "today" is, in the
 * calendar's own time zone. Pure: no I/O and no clock (each function is given the instant it is about); zone
 * offsets come from luxon (Intl underneath), never from hand-written arithmetic. The workflow imports this file,
 * so it must stay free of Node builtins.
 *
 * Definitions every function here follows:
 * - A **working day** is a date whose ISO weekday is in `workingDays` and which is not in `holidays`.
 * - **Working time** is, on each working day, the half-open interval [opening, closing) of local time in
 *   `timeZone`. It is measured in real elapsed milliseconds: on a day whose DST change falls inside the working
 *   hours the window is an hour shorter or longer than the clock says. A local time skipped by a DST change
 *   counts from the moment the clock resumes (luxon moves it forward).
 * - A **business hour** is an hour of working time. A **business day** is as many business hours as one working
 *   day is long on the wall clock (09:00–18:00: 9 h). So "2bd" is 18 business hours: from Friday 17:30 it ends
 *   Tuesday 17:30, and from Monday 09:00 it ends Tuesday 18:00 (not Wednesday 09:00).
 * - A deadline that uses up a window exactly is that window's closing time (Monday 09:00 + "9bh" = Monday 18:00).
 *   A start outside working time counts from the next opening.
 */
import { DateTime, IANAZone } from 'luxon';
import { addDays, daysBetween, isIsoDate } from './dates';
import type { BusinessCalendar, BusinessDuration } from './types';

export type { BusinessCalendar, BusinessDuration } from './types';

/** An instant: a Date or epoch milliseconds. */
export type Instant = Date | number;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** A deadline search gives up after this many days: policies speak of hours and days, not centuries. */
const MAX_SEARCH_DAYS = 100 * 366;

/** True when luxon (that is, this runtime's Intl) knows `zone` as an IANA time zone, e.g. "Europe/Berlin". */
export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Minutes after midnight of a "HH:MM" clock time (00:00–23:59), or null when it is not one. */
export function clockMinutes(time: string): number | null {
  const match = CLOCK_TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** The calendar with its strings parsed once per call of a public function. */
interface Compiled {
  zone: string;
  workingDays: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  openMin: number;
  closeMin: number;
}

function compile(cal: BusinessCalendar): Compiled {
  const openMin = clockMinutes(cal.workingHours[0]);
  const closeMin = clockMinutes(cal.workingHours[1]);
  if (openMin === null || closeMin === null || openMin >= closeMin) {
    throw new RangeError(`invalid working hours ${JSON.stringify(cal.workingHours)}: expected ["HH:MM", "HH:MM"], opening before closing`);
  }
  if (!isValidTimeZone(cal.timeZone)) throw new RangeError(`unknown time zone ${JSON.stringify(cal.timeZone)}`);
  if (cal.workingDays.length === 0) throw new RangeError('a calendar needs at least one working day');
  return { zone: cal.timeZone, workingDays: new Set(cal.workingDays), holidays: new Set(cal.holidays), openMin, closeMin };
}

function toMs(instant: Instant): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`invalid instant ${String(instant)}`);
  return ms;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD date; the same in every zone. */
function weekdayOf(date: string): number {
  if (!isIsoDate(date)) throw new RangeError(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  return DateTime.fromISO(date, { zone: 'utc' }).weekday;
}

function isWorking(date: string, c: Compiled, weekday = weekdayOf(date)): boolean {
  return c.workingDays.has(weekday) && !c.holidays.has(date);
}

/** The weekday after `weekday` (7 → 1). */
const nextWeekday = (weekday: number): number => (weekday % 7) + 1;

/** The epoch-ms instant of `minutes` after local midnight of `date` in the calendar's zone. */
function localInstant(date: string, minutes: number, c: Compiled): number {
  const [year, month, day] = date.split('-').map(Number);
  return DateTime.fromObject({ year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone: c.zone }).toMillis();
}

/** [opening, closing) of a working day as epoch ms. Empty (close <= open) when a DST change eats it. */
function windowOn(date: string, c: Compiled): { open: number; close: number } {
  return { open: localInstant(date, c.openMin, c), close: localInstant(date, c.closeMin, c) };
}

/** The calendar date (YYYY-MM-DD) of `instant` in the calendar's zone: "today" for date checks. */
export function calendarDay(instant: Instant, cal: Pick<BusinessCalendar, 'timeZone'>): string {
  const day = DateTime.fromMillis(toMs(instant), { zone: cal.timeZone }).toISODate();
  if (day === null) throw new RangeError(`unknown time zone ${JSON.stringify(cal.timeZone)}`);
  return day;
}

/** True when `date` (YYYY-MM-DD) is a working day: a working weekday and not a holiday. */
export function isWorkingDay(date: string, cal: BusinessCalendar): boolean {
  return isWorking(date, compile(cal));
}

/** True when `instant` lies in working time: on a working day, at or after opening and before closing. */
export function isWorkingTime(instant: Instant, cal: BusinessCalendar): boolean {
  const c = compile(cal);
  const t = toMs(instant);
  const day = calendarDay(t, cal);
  if (!isWorking(day, c)) return false;
  const w = windowOn(day, c);
  return w.open <= t && t < w.close;
}

/**
 * The number of working days from `from` (inclusive) to `to` (exclusive); 0 when `to` is not after `from`.
 * Constant work per week (whole weeks are counted, not walked), plus one look at each holiday.
 */
export function countWorkingDays(from: string, to: string, cal: BusinessCalendar): number {
  const c = compile(cal);
  const days = daysBetween(from, to);
  if (days <= 0) return 0;
  const startWeekday = weekdayOf(from);
  let count = Math.floor(days / 7) * c.workingDays.size;
  // The days after the whole weeks start on the same weekday as `from`.
  for (let i = 0; i < days % 7; i++) {
    if (c.workingDays.has(((startWeekday - 1 + i) % 7) + 1)) count++;
  }
  for (const holiday of c.holidays) {
    if (holiday >= from && holiday < to && isIsoDate(holiday) && c.workingDays.has(weekdayOf(holiday))) count--;
  }
  return count;
}

/**
 * The working days from `from` (inclusive) to `to` (exclusive), earliest first, produced lazily: a planner that
 * stops once it has what it needs never visits the rest, however far off `to` is.
 */
export function* workingDaysBetween(from: string, to: string, cal: BusinessCalendar): Generator<string, void, undefined> {
  const c = compile(cal);
  const days = daysBetween(from, to);
  let weekday = days > 0 ? weekdayOf(from) : 0;
  for (let i = 0; i < days; i++, weekday = nextWeekday(weekday)) {
    const day = addDays(from, i);
    if (isWorking(day, c, weekday)) yield day;
  }
}

/** The last working day before `to` (exclusive) and not before `from`, or null when there is none. */
export function lastWorkingDayBefore(to: string, from: string, cal: BusinessCalendar): string | null {
  const c = compile(cal);
  // Backwards from `to`: at most a week of weekdays off plus the holidays in between are skipped.
  for (let day = addDays(to, -1); day >= from; day = addDays(day, -1)) {
    if (isWorking(day, c)) return day;
  }
  return null;
}

/** The wall-clock length of one working day in ms (09:00–18:00: 9 h): the length of one business day. */
export function workingDayMs(cal: BusinessCalendar): number {
  const c = compile(cal);
  return (c.closeMin - c.openMin) * MINUTE_MS;
}

/** A business duration as working-time milliseconds: N hours, or N × the working day's length. */
export function businessMs(duration: BusinessDuration, cal: BusinessCalendar): number {
  return duration.unit === 'bh' ? duration.amount * HOUR_MS : duration.amount * workingDayMs(cal);
}

/**
 * The instant (epoch ms) at which `workingMs` of working time have passed since `start`; exact to the
 * millisecond. From outside working time it counts from the next opening (so 0 ms gives that opening);
 * a duration that ends exactly at a closing time ends there, not at the next opening.
 * Throws a RangeError when no such instant lies within a hundred years.
 */
export function addWorkingTime(start: Instant, workingMs: number, cal: BusinessCalendar): number {
  if (!Number.isSafeInteger(workingMs) || workingMs < 0) {
    throw new RangeError(`invalid working time ${workingMs}: expected a whole number of milliseconds >= 0`);
  }
  const c = compile(cal);
  const t = toMs(start);
  let remaining = workingMs;
  // Working days never span midnight, so the first window that can hold `t` is on t's own local date.
  let day = calendarDay(t, cal);
  let weekday = weekdayOf(day);
  // Days off are skipped by weekday arithmetic; only working days ask luxon for their window.
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, day = addDays(day, 1), weekday = nextWeekday(weekday)) {
    if (!isWorking(day, c, weekday)) continue;
    const w = windowOn(day, c);
    const from = Math.max(t, w.open);
    if (from >= w.close) continue; // at or past closing (or a window a DST change left empty)
    if (remaining <= w.close - from) return from + remaining;
    remaining -= w.close - from;
  }
  throw new RangeError(`no deadline within ${MAX_SEARCH_DAYS} days: ${workingMs} ms of working time is too long for this calendar`);
}

/**
 * The deadline `duration` of working time after `start` (epoch ms), e.g. "2bh" from Friday 17:30 with
 * 09:00–18:00 Monday to Friday: Monday 10:30. See the definitions at the top of this file.
 */
export function businessDeadline(start: Instant, duration: BusinessDuration, cal: BusinessCalendar): number {
  return addWorkingTime(start, businessMs(duration, cal), cal);
}
