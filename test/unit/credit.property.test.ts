/** Properties of finance's credit rule: exposure is the exact sum, and the limit is inclusive to the minor unit. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CustomerCredit, checkCredit } from '../../domain/checks/credit';

const minor = fc.integer({ min: 0, max: 10 ** 13 });
const customer = (creditLimitMinor: number, openBalanceMinor: number): CustomerCredit => ({
  tier: 'standard',
  creditLimitMinor,
  openBalanceMinor,
  allowedPaymentTerms: ['NET30'],
  onHold: false,
});
const exceeded = (r: ReturnType<typeof checkCredit>) => r.findings.some((f) => f.code === 'CREDIT_LIMIT_EXCEEDED');

describe('credit exposure properties', () => {
  it('exposure is open balance + other open orders + this order, exactly', () => {
    fc.assert(
      fc.property(minor, minor, minor, minor, (limit, balance, open, total) => {
        const r = checkCredit({ totalMinor: total, paymentTerms: 'NET30', customer: customer(limit, balance), openOrdersMinor: open });
        expect(r.exposureMinor).toBe(balance + open + total);
      }),
    );
  });

  it('an exposure exactly at the limit passes; one minor unit above fails', () => {
    fc.assert(
      fc.property(minor, minor, minor, (balance, open, total) => {
        const exposure = balance + open + total;
        const at = checkCredit({ totalMinor: total, paymentTerms: 'NET30', customer: customer(exposure, balance), openOrdersMinor: open });
        expect(exceeded(at)).toBe(false);
        expect(at.findings).toEqual([]);
        if (exposure > 0) {
          const above = checkCredit({ totalMinor: total, paymentTerms: 'NET30', customer: customer(exposure - 1, balance), openOrdersMinor: open });
          expect(exceeded(above)).toBe(true);
          expect(above.findings.find((f) => f.code === 'CREDIT_LIMIT_EXCEEDED')?.message).toMatch(/by 0\.01$/);
        }
      }),
    );
  });

  it('flags the limit if and only if the exposure is above it', () => {
    fc.assert(
      fc.property(minor, minor, minor, minor, fc.boolean(), (limit, balance, open, total, onHold) => {
        const r = checkCredit({ totalMinor: total, paymentTerms: 'NET30', customer: { ...customer(limit, balance), onHold }, openOrdersMinor: open });
        expect(exceeded(r)).toBe(balance + open + total > limit);
        expect(r.findings.some((f) => f.code === 'CREDIT_HOLD')).toBe(onHold);
      }),
    );
  });
});
