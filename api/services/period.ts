/** Period bounds as queries give them: a day (YYYY-MM-DD, in the policy calendar's zone) or an instant. */
import { DateTime } from 'luxon';

/**
 * The instant a bound names, as epoch ms. A day as a start is its first instant; as an end (exclusive) the first
 * instant of the next day, so `to=2026-12-31` includes the 31st.
 */
export function boundMs(value: string, timeZone: string, end: boolean): number {
  if (value.length === 10) {
    const day = DateTime.fromISO(value, { zone: timeZone });
    return (end ? day.plus({ days: 1 }) : day).toMillis();
  }
  return Date.parse(value);
}

/** The zone dates are read in: the policy calendar's, else UTC. */
export function zoneOf(policy: { calendar?: { timeZone: string } }): string {
  return policy.calendar?.timeZone ?? 'UTC';
}
