import { describe, expect, it } from 'vitest';
import { checkCredit, type CustomerCredit } from '../../domain/checks/credit';

const customer: CustomerCredit = {
  tier: 'standard',
  creditLimitMinor: 500_000_00,
  openBalanceMinor: 120_000_00,
  allowedPaymentTerms: ['NET30', 'NET60'],
  onHold: false,
};
const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe('checkCredit', () => {
  it('computes exposure as open balance + open orders + this order', () => {
    const result = checkCredit({ totalMinor: 1_250_00, paymentTerms: 'NET30', customer, openOrdersMinor: 30_000_00 });
    expect(result).toEqual({ findings: [], exposureMinor: 151_250_00 });
  });

  it('passes exactly at the credit limit', () => {
    const result = checkCredit({ totalMinor: 300_000_00, paymentTerms: 'NET30', customer, openOrdersMinor: 80_000_00 });
    expect(result.exposureMinor).toBe(customer.creditLimitMinor);
    expect(result.findings).toEqual([]);
  });

  it('fails one minor unit over the limit, with the amounts', () => {
    const result = checkCredit({ totalMinor: 300_000_01, paymentTerms: 'NET30', customer, openOrdersMinor: 80_000_00 });
    expect(codes(result.findings)).toEqual(['CREDIT_LIMIT_EXCEEDED']);
    expect(result.findings[0]?.message).toContain('500000.01');
    expect(result.findings[0]?.message).toContain('500000.00');
  });

  it('reports a customer on credit hold', () => {
    const result = checkCredit({ totalMinor: 100, paymentTerms: 'NET30', customer: { ...customer, onHold: true }, openOrdersMinor: 0 });
    expect(codes(result.findings)).toEqual(['CREDIT_HOLD']);
  });

  it('reports payment terms the customer may not use', () => {
    const result = checkCredit({ totalMinor: 100, paymentTerms: 'NET90', customer, openOrdersMinor: 0 });
    expect(codes(result.findings)).toEqual(['PAYMENT_TERMS_NOT_ALLOWED']);
    expect(result.findings[0]?.message).toContain('NET90');
  });

  it('compares payment terms case-insensitively', () => {
    expect(checkCredit({ totalMinor: 100, paymentTerms: 'net60', customer, openOrdersMinor: 0 }).findings).toEqual([]);
  });

  it('reports every problem at once', () => {
    const result = checkCredit({
      totalMinor: 1,
      paymentTerms: 'CASH',
      customer: { ...customer, onHold: true, creditLimitMinor: 0, openBalanceMinor: 0, allowedPaymentTerms: [] },
      openOrdersMinor: 0,
    });
    expect(codes(result.findings)).toEqual(['CREDIT_HOLD', 'CREDIT_LIMIT_EXCEEDED', 'PAYMENT_TERMS_NOT_ALLOWED']);
  });
});
