/**
 * Intake's two steps: the request normalised as sent (the idempotency hash is over it), then completed from master
 * data (the customer's defaults, a repeated order's lines).
 */
import { describe, expect, it } from 'vitest';
import { orderHash } from '../../api/services/intake';
import { completeOrder, normaliseOrder, normaliseRequest } from '../../domain/order';

const full = {
  orderId: 'PO-GOLDEN-1',
  customerId: 'C-1001',
  channel: 'web' as const,
  currency: 'cny',
  requestedDeliveryDate: '2026-12-20',
  paymentTerms: 'net30',
  lines: [{ sku: 'BOX-E-001', quantity: 100, unitPrice: '12.5' }],
  declaredTotal: '1250.00',
  specialRequirements: [' die-cut '],
  notes: ' hi ',
};

describe('the idempotency hash', () => {
  it('of a request that gives every field is the hash orders had before defaults and repeats existed', () => {
    // Computed with the code of the previous release (orderHash(normaliseOrder(body))): retrying an order submitted
    // then must still answer 200, not 409.
    expect(orderHash(normaliseRequest(full, full.orderId))).toBe('df4a195b3da38cfc7e2d49746f03b606cd693270feb30e3934c7463e53aec639');
    const minimal = { customerId: 'C-1001', channel: 'edi' as const, currency: 'CNY', requestedDeliveryDate: '2026-12-20', paymentTerms: 'NET30', lines: [{ sku: 'A', quantity: 1, unitPrice: '1' }] };
    expect(orderHash(normaliseRequest(minimal, 'X-1'))).toBe('e9766ed977916967c79f32915dcc53ba779a02b7d011aeebd93dc97c19690902');
    expect(orderHash(normaliseRequest(full, full.orderId))).toBe(orderHash(normaliseOrder(full, full.orderId)));
  });

  it('is over what was sent: a left-out field, a repeat, a ship-to each give their own hash', () => {
    const { paymentTerms: _p, ...noTerms } = full;
    const hashes = [
      orderHash(normaliseRequest(full, 'A')),
      orderHash(normaliseRequest(noTerms, 'A')),
      orderHash(normaliseRequest({ ...full, lines: undefined, declaredTotal: undefined, repeatOf: 'PO-0' }, 'A')),
      orderHash(normaliseRequest({ ...full, shipTo: { street: 'S', city: 'C', country: 'cn' } }, 'A')),
    ];
    expect(new Set(hashes).size).toBe(4);
    expect(orderHash(normaliseRequest({ ...full, shipTo: { street: ' S ', city: 'C', country: 'CN' } }, 'A'))).toBe(hashes[3]);
  });
});

describe('completeOrder', () => {
  const shipTo = { name: 'DC', street: '1 Road', city: 'Shanghai', country: 'CN' };
  const defaults = { paymentTerms: 'NET60', currency: 'EUR', shipTo };

  it('fills what the request left out from the defaults, and lists it', () => {
    const { paymentTerms: _p, currency: _c, ...body } = full;
    const done = completeOrder(normaliseRequest(body, 'A'), { defaults });
    expect(done).toMatchObject({ ok: true, order: { paymentTerms: 'NET60', currency: 'EUR', shipTo, filledFromCustomer: ['paymentTerms', 'currency', 'shipTo'] } });
  });

  it('keeps what the request gives, and lists nothing it did not fill', () => {
    const done = completeOrder(normaliseRequest({ ...full, shipTo: { street: 'Own', city: 'X', country: 'de' } }, 'A'), { defaults });
    expect(done.ok && done.order).toMatchObject({ paymentTerms: 'NET30', currency: 'CNY', shipTo: { street: 'Own', country: 'DE' } });
    expect(done.ok && done.order).not.toHaveProperty('filledFromCustomer');
    expect(completeOrder(normaliseRequest(full, 'A'), { defaults: null })).toEqual({ ok: true, order: normaliseOrder(full, 'A') });
  });

  it('names every field neither the request nor the defaults give', () => {
    const { paymentTerms: _p, currency: _c, ...body } = full;
    expect(completeOrder(normaliseRequest(body, 'A'), { defaults: null })).toEqual({ ok: false, missing: ['paymentTerms', 'currency'] });
    expect(completeOrder(normaliseRequest(body, 'A'), { defaults: { currency: 'CNY' } })).toEqual({ ok: false, missing: ['paymentTerms'] });
    const repeat = normaliseRequest({ ...full, lines: undefined, repeatOf: 'PO-0' }, 'A');
    expect(completeOrder(repeat, { defaults: null })).toEqual({ ok: false, missing: ['lines'] });
  });

  it("a repeat takes the given lines and totals them; it shows repeatOf", () => {
    const repeat = normaliseRequest({ ...full, lines: undefined, declaredTotal: undefined, repeatOf: ' PO-0 ' }, 'A');
    const lines = [{ sku: 'BOX', quantity: 3, unitPriceMinor: 1_120 }];
    const done = completeOrder(repeat, { defaults: null, repeatedLines: lines });
    expect(done.ok && done.order).toMatchObject({ repeatOf: 'PO-0', lines, totalMinor: 3_360, declaredTotalMinor: null });
  });
});
