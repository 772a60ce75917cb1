import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCredit } from '../../domain/checks/credit';
import { countsTowardExposure, creditExposure, type ExposureOrder, openOrdersMinor } from '../../domain/checks/exposure';
import { ORDER_STATUSES } from '../../domain/types';

const order = (status: ExposureOrder['status'], totalMinor: number, cleared = false): ExposureOrder => ({ status, cleared, totalMinor });

describe('credit exposure (section 9)', () => {
  it('counts orders in review, waiting for changes, and approved but neither invoiced nor closed', () => {
    expect(countsTowardExposure({ status: 'in_review', cleared: false })).toBe(true);
    expect(countsTowardExposure({ status: 'changes_requested', cleared: false })).toBe(true);
    expect(countsTowardExposure({ status: 'approved', cleared: false })).toBe(true);
  });

  it('leaves out approved orders that were invoiced or closed, and orders that ended otherwise', () => {
    expect(countsTowardExposure({ status: 'approved', cleared: true })).toBe(false);
    for (const status of ['rejected', 'cancelled', 'expired'] as const) {
      expect(countsTowardExposure({ status, cleared: false }), status).toBe(false);
    }
  });

  it('sums only the open orders', () => {
    const orders = [order('in_review', 100), order('approved', 200), order('approved', 400, true), order('rejected', 800), order('changes_requested', 1600)];
    expect(openOrdersMinor(orders)).toBe(1900);
    expect(openOrdersMinor([])).toBe(0);
  });

  it('is open balance + open orders + this order', () => {
    expect(creditExposure({ openBalanceMinor: 120_000_00, openOrdersMinor: 30_000_00, thisOrderMinor: 1_250_00 })).toBe(151_250_00);
  });

  // The journey of the issue: a limit that fits two orders of 1250.00.
  const customer = { tier: 'standard' as const, creditLimitMinor: 2_500_00, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false };
  const credit = (others: ExposureOrder[], openBalanceMinor = 0) =>
    checkCredit({ totalMinor: 1_250_00, paymentTerms: 'NET30', customer: { ...customer, openBalanceMinor }, openOrdersMinor: openOrdersMinor(others) });

  it('a third order exceeds a limit that fits two while the first two are open', () => {
    const result = credit([order('approved', 1_250_00), order('approved', 1_250_00)]);
    expect(result.exposureMinor).toBe(3_750_00);
    expect(result.findings.map((f) => f.code)).toEqual(['CREDIT_LIMIT_EXCEEDED']);
  });

  it('the same third order fits exactly once one of them is invoiced and paid', () => {
    expect(credit([order('approved', 1_250_00, true), order('approved', 1_250_00)]).findings).toEqual([]);
  });

  it('an invoiced order still counts through the open balance until the customer pays', () => {
    // Invoicing moves the amount from open orders to the receivable the ERP keeps: exposure is unchanged by it.
    const before = credit([order('approved', 1_250_00), order('approved', 1_250_00)]);
    const invoiced = credit([order('approved', 1_250_00, true), order('approved', 1_250_00)], 1_250_00);
    expect(invoiced.exposureMinor).toBe(before.exposureMinor);
    expect(invoiced.findings.map((f) => f.code)).toEqual(['CREDIT_LIMIT_EXCEEDED']);
  });

  const arbOrder = fc.record({
    status: fc.constantFrom(...ORDER_STATUSES),
    cleared: fc.boolean(),
    totalMinor: fc.integer({ min: 0, max: 1_000_000_00 }),
  });

  it('property: exposure is the open balance, this order and exactly the orders that count', () => {
    fc.assert(
      fc.property(fc.array(arbOrder, { maxLength: 30 }), fc.nat(1_000_000_00), fc.nat(1_000_000_00), (orders, openBalanceMinor, thisOrderMinor) => {
        const open = openOrdersMinor(orders);
        const expected = orders.filter((o) => ['in_review', 'changes_requested'].includes(o.status) || (o.status === 'approved' && !o.cleared));
        expect(open).toBe(expected.reduce((s, o) => s + o.totalMinor, 0));
        expect(creditExposure({ openBalanceMinor, openOrdersMinor: open, thisOrderMinor })).toBe(openBalanceMinor + open + thisOrderMinor);
      }),
    );
  });

  it('property: invoicing or closing an order never raises the open orders, and lowers them by its total when approved', () => {
    fc.assert(
      fc.property(fc.array(arbOrder, { minLength: 1, maxLength: 30 }), fc.nat(), (orders, pick) => {
        const i = pick % orders.length;
        const cleared = orders.map((o, j) => (j === i ? { ...o, cleared: true } : o));
        const target = orders[i]!;
        const drop = target.status === 'approved' && !target.cleared ? target.totalMinor : 0;
        expect(openOrdersMinor(cleared)).toBe(openOrdersMinor(orders) - drop);
      }),
    );
  });
});
