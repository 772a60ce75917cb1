/** Properties of money at the edge: decimal strings ⇄ integer minor units, exactly, with no float drift. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MONEY_PATTERN, formatMoney, parseMoney } from '../../domain/money';

/** Any amount MONEY_PATTERN allows, with the minor units it means (computed with BigInt, not floats). */
const amount = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 13n - 1n }), fc.constantFrom('', '.d', '.dd'), fc.integer({ min: 0, max: 99 }))
  .map(([whole, shape, cents]) => {
    const fraction = shape === '' ? '' : shape === '.d' ? `.${cents % 10}` : `.${String(cents).padStart(2, '0')}`;
    const minor = whole * 100n + (shape === '' ? 0n : shape === '.d' ? BigInt((cents % 10) * 10) : BigInt(cents));
    return { text: `${whole}${fraction}`, minor };
  });

describe('money properties', () => {
  it('parses every valid amount to exactly its minor units', () => {
    fc.assert(
      fc.property(amount, ({ text, minor }) => {
        expect(BigInt(parseMoney(text))).toBe(minor);
      }),
    );
  });

  it('formats and parses back to the same minor units, for every safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 15 - 1 }), (minor) => {
        const text = formatMoney(minor);
        expect(text).toMatch(/^\d+\.\d{2}$/);
        expect(parseMoney(text)).toBe(minor);
      }),
    );
  });

  it('normalises on a round trip: format(parse(s)) has two fraction digits and the same value', () => {
    fc.assert(
      fc.property(amount, ({ text, minor }) => {
        const canonical = formatMoney(parseMoney(text));
        expect(canonical).toMatch(MONEY_PATTERN);
        expect(BigInt(canonical.replace('.', ''))).toBe(minor);
      }),
    );
  });

  it('sums without drift: the sum of parsed amounts is the exact decimal sum', () => {
    const small = fc.tuple(fc.integer({ min: 0, max: 9_999_999 }), fc.integer({ min: 0, max: 99 })).map(([w, c]) => `${w}.${String(c).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.array(small, { minLength: 1, maxLength: 200 }), (texts) => {
        const exact = texts.reduce((s, t) => s + BigInt(t.replace('.', '')), 0n);
        const sum = texts.reduce((s, t) => s + parseMoney(t), 0);
        expect(BigInt(sum)).toBe(exact);
        expect(formatMoney(sum)).toBe(`${exact / 100n}.${String(exact % 100n).padStart(2, '0')}`);
      }),
    );
  });

  it('refuses exactly what the pattern refuses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), amount.map((a) => a.text), fc.double().map(String)), (text) => {
        if (MONEY_PATTERN.test(text)) expect(Number.isSafeInteger(parseMoney(text))).toBe(true);
        else expect(() => parseMoney(text)).toThrow(/invalid amount/);
      }),
    );
  });
});
