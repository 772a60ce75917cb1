/**
 * The holds activities against a temp database, no server: they read the fulfilment ledger (what shipments consumed
 * and closing released) and tell procurement of a reorder-point crossing exactly once, however often they run.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { closeDatabase, type Db } from '../../db/client';
import { queryEvents } from '../../db/events';
import { capacityMoves, materials, stockMoves } from '../../db/schema';
import { createTestDb, normalised, today } from '../helpers/fixtures';
import { addDays } from '../../domain/dates';

describe('holds and the fulfilment ledger', () => {
  let db: Db;
  let woken = 0;
  let acts: ReturnType<typeof createActivities>;
  beforeEach(() => {
    db = createTestDb();
    woken = 0;
    acts = createActivities(db, { onEventsLogged: () => woken++ });
  });
  afterEach(() => closeDatabase(db));

  const alerts = () => queryEvents(db, { types: ['material.below_reorder_point'], limit: 100 });
  const rare = (quantity: number) => normalised({ lines: [{ sku: 'RARE', quantity, unitPrice: '20.00' }], declaredTotal: undefined });

  it('a reservation that takes a material below its reorder point logs one event; a re-run logs nothing', async () => {
    db.update(materials).set({ reorderPoint: 5 }).where(eq(materials.id, 'M-RARE')).run();
    const first = rare(4); // 10 on hand → 6 available: not below
    expect((await acts.reserveMaterials({ order: first, revision: 1, force: false })).held).toBe(true);
    expect(alerts()).toHaveLength(0);

    const second = rare(3); // → 3 available: below 5
    const res = await acts.reserveMaterials({ order: second, revision: 1, force: false });
    expect(res.held).toBe(true);
    expect(alerts().map((e) => e.data)).toEqual([{ materialId: 'M-RARE', available: 3, reorderPoint: 5, onHand: 10, reserved: 7, orderId: second.orderId }]);
    expect(alerts()[0]).toMatchObject({ stream: 'material:M-RARE', orderId: null, actor: 'system' });
    expect(woken).toBe(1);

    // The local activity retried (or replayed after a crash): same answer, no second event, no wake-up.
    expect(await acts.reserveMaterials({ order: second, revision: 1, force: false })).toEqual(res);
    expect(alerts()).toHaveLength(1);
    expect(woken).toBe(1);
  });

  it('stock a shipment consumed or closing released is no longer reserved for the materials check', async () => {
    const held = rare(8);
    expect((await acts.reserveMaterials({ order: held, revision: 1, force: false })).held).toBe(true);
    const short = await acts.reserveMaterials({ order: rare(5), revision: 1, force: false });
    expect(short.findings.map((f) => f.code)).toEqual(['MATERIAL_SHORTAGE']);

    // What POST …/fulfilment writes: 3 shipped (on hand falls with it), the other 5 released on close.
    const at = new Date().toISOString();
    db.insert(stockMoves).values({ orderId: held.orderId, event: 'shipped', reference: 'DN-1', materialId: 'M-RARE', kind: 'consumed', quantity: 3, at }).run();
    db.update(materials).set({ onHand: 7 }).where(eq(materials.id, 'M-RARE')).run();
    db.insert(stockMoves).values({ orderId: held.orderId, event: 'closed', reference: 'C-1', materialId: 'M-RARE', kind: 'released', quantity: 5, at }).run();
    expect((await acts.reserveMaterials({ order: rare(7), revision: 1, force: false })).findings).toEqual([]);
  });

  it('hours released when an order closed are free for the next booking; used hours stay booked', async () => {
    const day = today();
    const slow = (quantity: number) => normalised({ lines: [{ sku: 'SLOW', quantity, unitPrice: '10.00' }], declaredTotal: undefined, requestedDeliveryDate: addDays(day, 1) });
    const first = slow(1); // 10 of today's 16 hours
    expect((await acts.bookCapacity({ order: first, revision: 1, force: false })).held).toBe(true);
    expect((await acts.bookCapacity({ order: slow(1), revision: 1, force: false })).findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);

    const at = new Date().toISOString();
    db.insert(capacityMoves).values({ orderId: first.orderId, event: 'shipped', reference: 'DN-1', day, kind: 'used', hours: 4, at }).run();
    expect((await acts.bookCapacity({ order: slow(1), revision: 1, force: false })).held).toBe(false);
    db.insert(capacityMoves).values({ orderId: first.orderId, event: 'closed', reference: 'C-1', day, kind: 'released', hours: 6, at }).run();
    expect((await acts.bookCapacity({ order: slow(1), revision: 1, force: false })).findings).toEqual([]);
  });
});
