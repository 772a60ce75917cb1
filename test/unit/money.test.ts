import { describe, expect, it } from 'vitest';
import { formatMoney, MONEY_PATTERN, parseMoney } from '../../domain/money';

describe('parseMoney', () => {
  it.each([
    ['0', 0],
    ['0.5', 50],
    ['12.5', 1250],
    ['1250.00', 125000],
    ['0.29', 29],
    ['1.01', 101],
    ['9999999999999.99', 999999999999999],
  ])('parses %s as %i minor units', (s, minor) => {
    expect(parseMoney(s)).toBe(minor);
  });

  it.each(['1.234', '-1', 'abc', '01.00', '', '1.', '.5', ' 1.00', '1e3', '10000000000000.00', '1,00'])(
    'rejects %j',
    (s) => {
      expect(() => parseMoney(s)).toThrow(Error);
      expect(MONEY_PATTERN.test(s)).toBe(false);
    },
  );
});

describe('formatMoney', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [50, '0.50'],
    [125000, '1250.00'],
    [-5, '-0.05'],
    [-125001, '-1250.01'],
  ])('formats %i as %s', (minor, s) => {
    expect(formatMoney(minor)).toBe(s);
  });

  it('rejects a non-integer', () => {
    expect(() => formatMoney(1.5)).toThrow();
  });

  it.each(['0.00', '0.01', '12.50', '1250.00', '9999999999999.99'])('round-trips %s', (s) => {
    expect(formatMoney(parseMoney(s))).toBe(s);
  });

  it('round-trips minor units through the string form', () => {
    for (const minor of [0, 1, 29, 99, 100, 101, 123456789]) {
      expect(parseMoney(formatMoney(minor))).toBe(minor);
    }
  });
});
