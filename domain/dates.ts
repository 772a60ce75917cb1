/** Calendar helpers on ISO dates (YYYY-MM-DD), computed in UTC so the result never depends on the host's time zone. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function toUtcMs(date: string): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new Error(`invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  // Date.UTC silently rolls 2026-02-30 over to March; a round-trip catches that.
  if (new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new Error(`invalid date ${JSON.stringify(date)}: not a calendar date`);
  }
  return ms;
}

/** True when `s` is a YYYY-MM-DD string naming a real calendar date (e.g. not 2026-02-30). */
export function isIsoDate(s: string): boolean {
  try {
    toUtcMs(s);
    return true;
  } catch {
    return false;
  }
}

/** The ISO date `days` days after `date` (negative goes back); throws on an invalid date. */
export function addDays(date: string, days: number): string {
  return new Date(toUtcMs(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier); throws on an invalid date. */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}
