/** Durations in the policy are short strings such as "90s" or "3d"; the workflow uses milliseconds. */
import type { BusinessDuration, BusinessUnit } from './types';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** A positive integer (no leading zero) followed by exactly one unit: ms, s, m, h or d. */
export const DURATION_PATTERN = /^([1-9]\d*)(ms|s|m|h|d)$/;

/** Parses a duration such as "500ms", "90s", "15m", "4h" or "3d" into milliseconds; throws on invalid input. */
export function parseDuration(s: string): number {
  const match = typeof s === 'string' ? DURATION_PATTERN.exec(s) : null;
  if (!match) {
    throw new Error(`invalid duration ${JSON.stringify(s)}: expected a positive integer and a unit (ms, s, m, h, d), e.g. "90s"`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as Unit];
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`invalid duration ${JSON.stringify(s)}: too large`);
  }
  return ms;
}

/** A positive integer followed by "bh" (business hours) or "bd" (business days), e.g. "8bh", "2bd". */
export const BUSINESS_DURATION_PATTERN = /^([1-9]\d*)(bh|bd)$/;

/**
 * Parses a business duration such as "8bh" or "2bd"; throws on anything else (wall-clock durations included).
 * What a business day is long depends on the calendar: see domain/calendar.ts.
 */
export function parseBusinessDuration(s: string): BusinessDuration {
  const match = typeof s === 'string' ? BUSINESS_DURATION_PATTERN.exec(s) : null;
  if (!match) {
    throw new Error(`invalid business duration ${JSON.stringify(s)}: expected a positive integer and bh or bd, e.g. "8bh" or "2bd"`);
  }
  const amount = Number(match[1]);
  if (!Number.isSafeInteger(amount)) throw new Error(`invalid business duration ${JSON.stringify(s)}: too large`);
  return { amount, unit: match[2] as BusinessUnit };
}
