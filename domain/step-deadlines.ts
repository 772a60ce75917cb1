/** When a waiting step is reminded, escalated and timed out: pure, so the workflow and the tests compute it alike. */
import { businessDeadline } from './calendar';
import type { BusinessCalendar, BusinessDuration, StepTimers } from './types';

/**
 * When the step's reminder, escalation and timeout fall (epoch ms): wall-clock offsets from the start, or with a
 * business calendar and "bh"/"bd" durations, business time counted only inside working hours (domain/calendar.ts).
 * Without a calendar the arithmetic is exactly the wall-clock one of orders started before calendars existed.
 */
export function stepDeadlines(start: number, t: StepTimers, calendar: BusinessCalendar | undefined): { reminderAt: number; escalateAt: number; timeoutAt: number } {
  const at = (ms: number, d: BusinessDuration | undefined) => (calendar && d ? businessDeadline(start, d, calendar) : start + ms);
  return {
    reminderAt: at(t.reminderAfterMs, t.business?.reminderAfter),
    escalateAt: at(t.escalateAfterMs, t.business?.escalateAfter),
    timeoutAt: at(t.timeoutAfterMs, t.business?.timeoutAfter),
  };
}

