/** Money at the HTTP edge is a decimal string; inside the system it is integer minor units (2 fraction digits). */

/** A non-negative decimal with at most 13 integer digits and at most 2 fraction digits, no leading zeros. */
export const MONEY_PATTERN = /^(0|[1-9]\d{0,12})(\.\d{1,2})?$/;

/** Parses a money string such as "12.5" into minor units (1250); throws on anything MONEY_PATTERN rejects. */
export function parseMoney(s: string): number {
  if (typeof s !== 'string' || !MONEY_PATTERN.test(s)) {
    throw new Error(`invalid amount ${JSON.stringify(s)}: expected a decimal such as "1250.00" with at most 2 fraction digits`);
  }
  // Split the string instead of multiplying a float: 0.29 * 100 is 28.999999999999996.
  const [whole = '0', fraction = ''] = s.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** Formats minor units as a decimal string with two fraction digits, e.g. 125000 → "1250.00", -5 → "-0.05". */
export function formatMoney(minor: number): string {
  if (!Number.isSafeInteger(minor)) {
    throw new Error(`invalid amount in minor units: ${minor}`);
  }
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return `${sign}${whole}.${fraction}`;
}
