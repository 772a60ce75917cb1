import { describe, expect, it } from 'vitest';
import { normaliseOrder, toPublicOrder, type OrderInput } from '../../domain/order';

const input: OrderInput = {
  orderId: 'ignored-in-favour-of-the-argument',
  customerId: ' C-1001 ',
  channel: 'web',
  currency: ' cny',
  requestedDeliveryDate: ' 2026-12-20 ',
  paymentTerms: 'net30 ',
  lines: [
    { sku: ' BOX-E-001 ', quantity: 100, unitPrice: '12.5' },
    { sku: 'LID-1', quantity: 3, unitPrice: '0.29' },
  ],
  specialRequirements: ['  die-cut window ', '   ', ''],
  notes: '   ',
};

describe('normaliseOrder', () => {
  it('trims, upper-cases, applies defaults and computes the total', () => {
    const order = normaliseOrder(input, 'PO-1');
    expect(order).toEqual({
      orderId: 'PO-1',
      customerId: 'C-1001',
      channel: 'web',
      currency: 'CNY',
      requestedDeliveryDate: '2026-12-20',
      paymentTerms: 'NET30',
      priority: 'normal',
      lines: [
        { sku: 'BOX-E-001', quantity: 100, unitPriceMinor: 1250 },
        { sku: 'LID-1', quantity: 3, unitPriceMinor: 29 },
      ],
      declaredTotalMinor: null,
      totalMinor: 125087,
      specialRequirements: ['die-cut window'],
      notes: null,
    });
  });

  it('keeps the given priority, declared total and notes', () => {
    const order = normaliseOrder({ ...input, priority: 'urgent', declaredTotal: '1250.87', notes: ' call first ' }, 'PO-2');
    expect(order.priority).toBe('urgent');
    expect(order.declaredTotalMinor).toBe(125087);
    expect(order.notes).toBe('call first');
  });

  it('treats absent special requirements as none', () => {
    const { specialRequirements, ...rest } = input;
    expect(specialRequirements).toBeDefined();
    expect(normaliseOrder(rest, 'PO-3').specialRequirements).toEqual([]);
  });
});

describe('toPublicOrder', () => {
  it('shows money as strings and no minor-unit fields', () => {
    const pub = toPublicOrder(normaliseOrder({ ...input, declaredTotal: '1250.00' }, 'PO-1'));
    expect(pub.lines).toEqual([
      { sku: 'BOX-E-001', quantity: 100, unitPrice: '12.50', lineTotal: '1250.00' },
      { sku: 'LID-1', quantity: 3, unitPrice: '0.29', lineTotal: '0.87' },
    ]);
    expect(pub.total).toBe('1250.87');
    expect(pub.declaredTotal).toBe('1250.00');
    expect(JSON.stringify(pub)).not.toMatch(/Minor/);
  });

  it('shows an absent declared total as null', () => {
    expect(toPublicOrder(normaliseOrder(input, 'PO-1')).declaredTotal).toBeNull();
  });
});
