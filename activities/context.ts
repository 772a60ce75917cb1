/** What every activity factory receives: the db handle and a clock, so tests can inject their own. */
import type { Db } from '../db/client';
import { calendarDay } from '../domain/calendar';
import type { BusinessCalendar } from '../domain/types';

export interface ActivityDeps {
  db: Db;
  now: () => Date;
  /** Called after a write added events to the log. */
  onEventsLogged?: () => void;
}

/**
 * The calendar day (YYYY-MM-DD) of an instant, the unit dates are checked and capacity planned in: the business
 * calendar's day in its time zone when the policy has one (a Shanghai order at 07:30 is checked against that day),
 * else the UTC day.
 */
export function dayOf(d: Date, calendar?: BusinessCalendar): string {
  return calendar ? calendarDay(d, calendar) : d.toISOString().slice(0, 10);
}
