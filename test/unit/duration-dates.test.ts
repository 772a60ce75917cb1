import { describe, expect, it } from 'vitest';
import { addDays, daysBetween, isIsoDate } from '../../domain/dates';
import { DURATION_PATTERN, parseBusinessDuration, parseDuration } from '../../domain/duration';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['3d', 259_200_000],
  ])('parses %s as %i ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
    expect(DURATION_PATTERN.test(s)).toBe(true);
  });

  it.each(['0s', '-1s', '1.5h', '4', 'h', '4 h', '4H', '4hours', '1w', '', '04h', '1h30m'])('rejects %j', (s) => {
    expect(() => parseDuration(s)).toThrow(Error);
  });

  it('rejects a duration too large to represent exactly', () => {
    expect(() => parseDuration('99999999999999999999d')).toThrow(/too large/);
  });
});

describe('parseBusinessDuration', () => {
  it('parses business hours and days', () => {
    expect(parseBusinessDuration('8bh')).toEqual({ amount: 8, unit: 'bh' });
    expect(parseBusinessDuration('2bd')).toEqual({ amount: 2, unit: 'bd' });
  });

  it.each(['8h', '0bh', '1.5bd', 'bd', '2 bd', '2BD', '02bd', ''])('rejects %j', (s) => {
    expect(() => parseBusinessDuration(s)).toThrow(/invalid business duration/);
  });

  it('is not a wall-clock duration', () => {
    expect(() => parseDuration('8bh')).toThrow(/invalid duration/);
  });
});

describe('dates', () => {
  it('recognises real calendar dates only', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate('2026-01-01T00:00:00Z')).toBe(false);
    expect(isIsoDate('tomorrow')).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('counts whole days between dates', () => {
    expect(daysBetween('2026-06-01', '2026-06-01')).toBe(0);
    expect(daysBetween('2026-06-01', '2027-06-01')).toBe(365);
    expect(daysBetween('2026-06-02', '2026-06-01')).toBe(-1);
  });

  it('throws on an invalid date', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow();
    expect(() => daysBetween('2026-06-01', 'x')).toThrow();
  });
});
