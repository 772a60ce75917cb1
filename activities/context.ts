/** What every activity factory receives: the db handle and a clock, so tests can inject their own. */
import type { Db } from '../db/client';

export interface ActivityDeps {
  db: Db;
  now: () => Date;
  /** Called after a write added events to the log. */
  onEventsLogged?: () => void;
}

/** The calendar day (UTC, YYYY-MM-DD) of an instant: the unit capacity is planned in. */
export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}
