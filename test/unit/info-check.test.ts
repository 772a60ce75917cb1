import { describe, expect, it } from 'vitest';
import { checkInfo } from '../../domain/checks/info-check';
import { cleanOrder, TODAY } from './fixtures';

const catalogue = { 'BOX-E-001': { unitPriceMinor: 1250 }, 'LID-1': { unitPriceMinor: 29 } };
const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

describe('checkInfo', () => {
  it('passes a clean order', () => {
    expect(checkInfo(cleanOrder(), catalogue, TODAY)).toEqual([]);
  });

  it('reports an unknown SKU once, naming it', () => {
    const order = cleanOrder({
      lines: [
        { sku: 'NOPE', quantity: 1, unitPriceMinor: 100 },
        { sku: 'constructor', quantity: 1, unitPriceMinor: 100 },
      ],
      declaredTotalMinor: null,
      totalMinor: 200,
    });
    const findings = checkInfo(order, catalogue, TODAY);
    expect(codes(findings)).toEqual(['UNKNOWN_SKU', 'UNKNOWN_SKU']);
    expect(findings[0]?.message).toContain('NOPE');
  });

  it('reports a price mismatch per line with both prices', () => {
    const order = cleanOrder({
      lines: [
        { sku: 'BOX-E-001', quantity: 100, unitPriceMinor: 1249 },
        { sku: 'LID-1', quantity: 1, unitPriceMinor: 30 },
      ],
      declaredTotalMinor: null,
      totalMinor: 124930,
    });
    const findings = checkInfo(order, catalogue, TODAY);
    expect(codes(findings)).toEqual(['PRICE_MISMATCH', 'PRICE_MISMATCH']);
    expect(findings[0]?.message).toContain('BOX-E-001');
    expect(findings[0]?.message).toContain('12.49');
    expect(findings[0]?.message).toContain('12.50');
  });

  it('reports a SKU on several lines', () => {
    const order = cleanOrder({
      lines: [
        { sku: 'LID-1', quantity: 1, unitPriceMinor: 29 },
        { sku: 'LID-1', quantity: 2, unitPriceMinor: 29 },
      ],
      declaredTotalMinor: null,
      totalMinor: 87,
    });
    const findings = checkInfo(order, catalogue, TODAY);
    expect(codes(findings)).toEqual(['DUPLICATE_SKU']);
    expect(findings[0]?.message).toContain('LID-1');
  });

  it('reports a declared total one minor unit off', () => {
    const findings = checkInfo(cleanOrder({ declaredTotalMinor: 125001 }), catalogue, TODAY);
    expect(codes(findings)).toEqual(['TOTAL_MISMATCH']);
    expect(findings[0]?.message).toContain('1250.01');
    expect(findings[0]?.message).toContain('1250.00');
  });

  it('accepts delivery today and exactly 365 days ahead', () => {
    expect(checkInfo(cleanOrder({ requestedDeliveryDate: TODAY }), catalogue, TODAY)).toEqual([]);
    expect(checkInfo(cleanOrder({ requestedDeliveryDate: '2027-06-01' }), catalogue, TODAY)).toEqual([]);
  });

  it('reports a delivery date in the past', () => {
    expect(codes(checkInfo(cleanOrder({ requestedDeliveryDate: '2026-05-31' }), catalogue, TODAY))).toEqual([
      'DELIVERY_DATE_IN_PAST',
    ]);
  });

  it('reports a delivery date more than 365 days ahead', () => {
    expect(codes(checkInfo(cleanOrder({ requestedDeliveryDate: '2027-06-02' }), catalogue, TODAY))).toEqual([
      'DELIVERY_DATE_TOO_FAR',
    ]);
  });

  it('reports a date that is not on the calendar', () => {
    expect(codes(checkInfo(cleanOrder({ requestedDeliveryDate: '2026-02-30' }), catalogue, TODAY))).toEqual([
      'INVALID_DELIVERY_DATE',
    ]);
  });
});
