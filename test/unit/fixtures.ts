import type { NormalisedOrder } from '../../domain/types';

/** A clean order: one line at list price, totals consistent, delivery in 30 days, no special requirements. */
export function cleanOrder(overrides: Partial<NormalisedOrder> = {}): NormalisedOrder {
  return {
    orderId: 'PO-1',
    customerId: 'C-1001',
    channel: 'web',
    currency: 'CNY',
    requestedDeliveryDate: '2026-07-01',
    paymentTerms: 'NET30',
    priority: 'normal',
    lines: [{ sku: 'BOX-E-001', quantity: 100, unitPriceMinor: 1250 }],
    declaredTotalMinor: 125000,
    totalMinor: 125000,
    specialRequirements: [],
    notes: null,
    ...overrides,
  };
}

export const TODAY = '2026-06-01';
