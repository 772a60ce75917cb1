/** Finance's automatic check: credit hold, credit exposure against the limit, allowed payment terms. */
import { formatMoney } from '../money';
import { creditExposure } from './exposure';
import type { CustomerTier, Finding } from '../types';

/** The customer's credit standing as master data records it. */
export interface CustomerCredit {
  tier: CustomerTier;
  creditLimitMinor: number;
  openBalanceMinor: number;
  allowedPaymentTerms: string[];
  onHold: boolean;
}

/** Computes the exposure this order would create and why finance must look at it (empty findings = passes). */
export function checkCredit(input: {
  totalMinor: number;
  paymentTerms: string;
  customer: CustomerCredit;
  openOrdersMinor: number;
}): { findings: Finding[]; exposureMinor: number } {
  const { customer } = input;
  const findings: Finding[] = [];
  const exposureMinor = creditExposure({
    openBalanceMinor: customer.openBalanceMinor,
    openOrdersMinor: input.openOrdersMinor,
    thisOrderMinor: input.totalMinor,
  });

  if (customer.onHold) {
    findings.push({ code: 'CREDIT_HOLD', message: 'the customer is on credit hold' });
  }
  // Exactly at the limit is still within it.
  if (exposureMinor > customer.creditLimitMinor) {
    findings.push({
      code: 'CREDIT_LIMIT_EXCEEDED',
      message:
        `exposure ${formatMoney(exposureMinor)} (open balance ${formatMoney(customer.openBalanceMinor)} + ` +
        `open orders ${formatMoney(input.openOrdersMinor)} + this order ${formatMoney(input.totalMinor)}) ` +
        `exceeds the credit limit ${formatMoney(customer.creditLimitMinor)} by ` +
        `${formatMoney(exposureMinor - customer.creditLimitMinor)}`,
    });
  }
  const terms = input.paymentTerms.trim().toUpperCase();
  const allowed = customer.allowedPaymentTerms.map((t) => t.trim().toUpperCase());
  if (!allowed.includes(terms)) {
    findings.push({
      code: 'PAYMENT_TERMS_NOT_ALLOWED',
      message:
        `payment terms ${terms} are not allowed for this customer ` +
        `(allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
    });
  }
  return { findings, exposureMinor };
}
