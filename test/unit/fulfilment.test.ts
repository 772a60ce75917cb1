import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fellBelowReorderPoint, isBelowReorderPoint } from '../../domain/checks/reorder-point';
import { capacityUse, fulfilmentStatus, isFullyShipped, materialConsumption, planShipment, stillHeld } from '../../domain/fulfilment';

const ordered = [
  { sku: 'BOX', quantity: 100 },
  { sku: 'LID', quantity: 40 },
];

describe('planShipment', () => {
  it('ships everything not shipped yet when no lines are given', () => {
    const plan = planShipment({ ordered, shippedBefore: [{ sku: 'BOX', quantity: 30 }] });
    expect(plan.errors).toEqual([]);
    expect(plan.lines).toEqual([
      { sku: 'BOX', quantity: 70 },
      { sku: 'LID', quantity: 40 },
    ]);
    expect(plan.complete).toBe(true);
  });

  it('takes exactly what is left, and is partial below it', () => {
    expect(planShipment({ ordered, shippedBefore: [], requested: [{ sku: 'BOX', quantity: 100 }] })).toMatchObject({ errors: [], complete: false });
    const last = planShipment({ ordered, shippedBefore: [{ sku: 'BOX', quantity: 100 }], requested: [{ sku: 'LID', quantity: 40 }] });
    expect(last).toMatchObject({ errors: [], complete: true });
  });

  it('refuses one unit more than is left, naming the line', () => {
    const plan = planShipment({ ordered, shippedBefore: [{ sku: 'BOX', quantity: 60 }], requested: [{ sku: 'LID', quantity: 1 }, { sku: 'BOX', quantity: 41 }] });
    expect(plan.errors).toEqual([{ path: 'lines.1.quantity', message: expect.stringMatching(/more than the 40 still to ship \(100 ordered, 60 shipped\)/) }]);
  });

  it('refuses a SKU that is not on the order', () => {
    expect(planShipment({ ordered, shippedBefore: [], requested: [{ sku: 'CUP', quantity: 1 }] }).errors).toEqual([
      { path: 'lines.0.sku', message: 'CUP is not on the order' },
    ]);
  });

  it('has nothing to ship once everything went', () => {
    expect(planShipment({ ordered, shippedBefore: ordered }).errors).toEqual([{ path: 'lines', message: expect.stringMatching(/already been shipped/) }]);
  });

  it('adds up lines of the same SKU', () => {
    expect(isFullyShipped([{ sku: 'BOX', quantity: 5 }, { sku: 'BOX', quantity: 5 }], [{ sku: 'BOX', quantity: 10 }])).toBe(true);
    expect(isFullyShipped([{ sku: 'BOX', quantity: 5 }, { sku: 'BOX', quantity: 5 }], [{ sku: 'BOX', quantity: 9 }])).toBe(false);
  });
});

describe('materialConsumption', () => {
  const boms = { BOX: [{ materialId: 'KRAFT', quantityPerUnit: 2 }], LID: [{ materialId: 'FILM', quantityPerUnit: 0.3 }] };
  const reserved = new Map([
    ['KRAFT', 200],
    ['FILM', 12],
  ]);

  it('consumes the bill of materials × the shipped quantity', () => {
    const used = materialConsumption({ reserved, consumedBefore: new Map(), boms, shippedAfter: [{ sku: 'BOX', quantity: 30 }], complete: false });
    expect(used).toEqual([{ materialId: 'KRAFT', quantity: 60 }]);
  });

  it('counts cumulatively: fractional needs round up once, and everything shipped consumes the whole reservation', () => {
    // 0.3 × 7 = 2.1 → 3 after the first shipment; 0.3 × 14 = 4.2 → 5 in all, so the second takes 2.
    const first = materialConsumption({ reserved, consumedBefore: new Map(), boms, shippedAfter: [{ sku: 'LID', quantity: 7 }], complete: false });
    expect(first).toEqual([{ materialId: 'FILM', quantity: 3 }]);
    const second = materialConsumption({ reserved, consumedBefore: new Map([['FILM', 3]]), boms, shippedAfter: [{ sku: 'LID', quantity: 14 }], complete: false });
    expect(second).toEqual([{ materialId: 'FILM', quantity: 2 }]);
    const rest = materialConsumption({
      reserved,
      consumedBefore: new Map([['FILM', 5], ['KRAFT', 0]]),
      boms,
      shippedAfter: [{ sku: 'LID', quantity: 40 }, { sku: 'BOX', quantity: 100 }],
      complete: true,
    });
    expect(rest).toEqual([
      { materialId: 'KRAFT', quantity: 200 },
      { materialId: 'FILM', quantity: 7 },
    ]);
  });

  it('never consumes more than was reserved, nor a material the order did not reserve', () => {
    const used = materialConsumption({
      reserved: new Map([['KRAFT', 50]]),
      consumedBefore: new Map(),
      boms,
      shippedAfter: [{ sku: 'BOX', quantity: 100 }, { sku: 'LID', quantity: 40 }],
      complete: false,
    });
    expect(used).toEqual([{ materialId: 'KRAFT', quantity: 50 }]);
  });

  it('property: however an order is split into shipments, the parts add up to the reservation exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 10 }),
        (quantity, perUnit, splits) => {
          const bom = { P: [{ materialId: 'M', quantityPerUnit: perUnit }] };
          const res = new Map([['M', Math.ceil(quantity * perUnit)]]);
          let shipped = 0;
          let consumed = 0;
          for (const part of splits) {
            if (shipped >= quantity) break;
            shipped = Math.min(quantity, shipped + part);
            const take = materialConsumption({
              reserved: res,
              consumedBefore: new Map([['M', consumed]]),
              boms: bom,
              shippedAfter: [{ sku: 'P', quantity: shipped }],
              complete: shipped === quantity,
            });
            consumed += take[0]?.quantity ?? 0;
            expect(consumed).toBeLessThanOrEqual(res.get('M')!);
          }
          if (shipped === quantity) expect(consumed).toBe(res.get('M'));
        },
      ),
    );
  });
});

describe('capacityUse', () => {
  const booked = [
    { day: '2027-03-02', hours: 4 },
    { day: '2027-03-01', hours: 16 },
  ];

  it('uses the shipped part’s hours, earliest booked day first', () => {
    const used = capacityUse({ booked, usedBefore: new Map(), hoursPerUnit: { BOX: 0.1 }, shippedAfter: [{ sku: 'BOX', quantity: 170 }], complete: false });
    expect(used).toEqual([
      { day: '2027-03-01', hours: 16 },
      { day: '2027-03-02', hours: 1 },
    ]);
  });

  it('uses all booked hours once everything is shipped, and nothing twice', () => {
    const usedBefore = new Map([
      ['2027-03-01', 16],
      ['2027-03-02', 1],
    ]);
    const rest = capacityUse({ booked, usedBefore, hoursPerUnit: { BOX: 0.1 }, shippedAfter: [{ sku: 'BOX', quantity: 200 }], complete: true });
    expect(rest).toEqual([{ day: '2027-03-02', hours: 3 }]);
    expect(capacityUse({ booked, usedBefore: new Map([['2027-03-01', 16], ['2027-03-02', 4]]), hoursPerUnit: {}, shippedAfter: [], complete: true })).toEqual([]);
  });
});

describe('stillHeld', () => {
  it('is what was held less what was taken, leaving out what is gone', () => {
    const held = new Map([
      ['A', 10],
      ['B', 5],
    ]);
    expect(stillHeld(held, new Map([['A', 4]]), new Map([['B', 5]]))).toEqual(new Map([['A', 6]]));
  });
});

describe('fulfilmentStatus', () => {
  it('is approved until the first event', () => {
    expect(fulfilmentStatus([], false)).toBe('approved');
    expect(fulfilmentStatus([{ event: 'after_sales_opened' }], false)).toBe('approved');
  });

  it('follows the furthest stage reached, partial shipments included', () => {
    expect(fulfilmentStatus([{ event: 'production_started' }], false)).toBe('in_production');
    expect(fulfilmentStatus([{ event: 'production_started' }, { event: 'shipped' }], false)).toBe('partially_shipped');
    expect(fulfilmentStatus([{ event: 'shipped' }, { event: 'shipped' }], true)).toBe('shipped');
    expect(fulfilmentStatus([{ event: 'shipped' }, { event: 'delivered' }], true)).toBe('delivered');
    // An invoice that arrives before the delivery note still leaves the order invoiced.
    expect(fulfilmentStatus([{ event: 'invoiced' }, { event: 'delivered' }], true)).toBe('invoiced');
    expect(fulfilmentStatus([{ event: 'invoiced' }, { event: 'closed' }, { event: 'after_sales_opened' }], true)).toBe('closed');
  });
});

describe('reorder point', () => {
  it('is below only strictly under the point, and never without one', () => {
    expect(isBelowReorderPoint({ available: 99, reorderPoint: 100 })).toBe(true);
    expect(isBelowReorderPoint({ available: 100, reorderPoint: 100 })).toBe(false);
    expect(isBelowReorderPoint({ available: -5, reorderPoint: null })).toBe(false);
  });

  it('tells a crossing once: from at-or-above to below, not while it stays below', () => {
    expect(fellBelowReorderPoint({ available: 100, reorderPoint: 100 }, { available: 99, reorderPoint: 100 })).toBe(true);
    expect(fellBelowReorderPoint({ available: 99, reorderPoint: 100 }, { available: 50, reorderPoint: 100 })).toBe(false);
    expect(fellBelowReorderPoint({ available: 50, reorderPoint: 100 }, { available: 150, reorderPoint: 100 })).toBe(false);
    expect(fellBelowReorderPoint({ available: 150, reorderPoint: 100 }, { available: 10, reorderPoint: 100 })).toBe(true);
  });

  it('counts a reorder point newly set above the stock as a crossing', () => {
    expect(fellBelowReorderPoint({ available: 50, reorderPoint: null }, { available: 50, reorderPoint: 80 })).toBe(true);
  });
});
