/** Master data round trips: amounts as strings in and out, and a PUT never touches reservations or bookings. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityBookings, customers, materialReservations } from '../../db/schema';
import { useTestApp } from '../helpers/app';

describe('master data', () => {
  const env = useTestApp();

  const call = (method: 'GET' | 'PUT', url: string, payload?: object) =>
    env.ctx.app.inject({ method, url, headers: env.ctx.auth('shop'), ...(payload ? { payload } : {}) });

  it('customers: PUT then GET, money as strings, minor units in the db', async () => {
    const body = {
      name: 'Acme',
      tier: 'key',
      creditLimit: '500000',
      openBalance: '120000.5',
      allowedPaymentTerms: ['net30', 'NET60'],
      onHold: false,
    };
    const put = await call('PUT', '/v1/customers/C-1001', body);
    expect(put.statusCode, put.body).toBe(200);
    const expected = {
      customerId: 'C-1001',
      name: 'Acme',
      tier: 'key',
      creditLimit: '500000.00',
      openBalance: '120000.50',
      allowedPaymentTerms: ['NET30', 'NET60'],
      onHold: false,
      updatedAt: expect.any(String),
    };
    expect(put.json()).toEqual(expected);
    expect((await call('GET', '/v1/customers/C-1001')).json()).toEqual(expected);
    const row = env.ctx.db.select().from(customers).all().find((c) => c.id === 'C-1001')!;
    expect(row.creditLimitMinor).toBe(50_000_000);
    expect(row.openBalanceMinor).toBe(12_000_050);

    const replaced = await call('PUT', '/v1/customers/C-1001', { ...body, onHold: true, creditLimit: '1.00' });
    expect(replaced.json()).toMatchObject({ onHold: true, creditLimit: '1.00' });
    expect((await call('GET', '/v1/customers/C-NONE')).statusCode).toBe(404);
    expect((await call('PUT', '/v1/customers/C-1001', { ...body, tier: 'gold' })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/customers/C-1001', { ...body, creditLimit: 5000 })).statusCode).toBe(400);
  });

  it('products: PUT replaces the bill of materials', async () => {
    const body = { name: 'Box', unitPrice: '12.5', hoursPerUnit: 0.05, materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 2 }, { materialId: 'M-GLUE', quantityPerUnit: 5 }] };
    const put = await call('PUT', '/v1/products/BOX-E-001', body);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({
      sku: 'BOX-E-001',
      name: 'Box',
      unitPrice: '12.50',
      hoursPerUnit: 0.05,
      materials: [{ materialId: 'M-GLUE', quantityPerUnit: 5 }, { materialId: 'M-KRAFT', quantityPerUnit: 2 }],
      updatedAt: expect.any(String),
    });
    const smaller = await call('PUT', '/v1/products/BOX-E-001', { ...body, materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 3 }] });
    expect(smaller.json().materials).toEqual([{ materialId: 'M-KRAFT', quantityPerUnit: 3 }]);
    expect((await call('GET', '/v1/products/BOX-E-001')).json().materials).toEqual([{ materialId: 'M-KRAFT', quantityPerUnit: 3 }]);
    const dup = await call('PUT', '/v1/products/BOX-E-001', { ...body, materials: [{ materialId: 'M-A', quantityPerUnit: 1 }, { materialId: 'M-A', quantityPerUnit: 2 }] });
    expect(dup.statusCode).toBe(400);
  });

  it('materials: reserved and available count active reservations only; PUT keeps them', async () => {
    await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: 1000 });
    const at = new Date().toISOString();
    env.ctx.db
      .insert(materialReservations)
      .values([
        { orderId: 'O-1', revision: 1, materialId: 'M-FLUTE', quantity: 300, reservedAt: at },
        { orderId: 'O-2', revision: 1, materialId: 'M-FLUTE', quantity: 50, reservedAt: at },
        { orderId: 'O-3', revision: 1, materialId: 'M-FLUTE', quantity: 999, reservedAt: at, releasedAt: at },
      ])
      .run();
    const got = await call('GET', '/v1/materials/M-FLUTE');
    expect(got.json()).toMatchObject({ materialId: 'M-FLUTE', name: 'Flute', onHand: 1000, reserved: 350, available: 650 });

    const put = await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute E', onHand: 400 });
    expect(put.json()).toMatchObject({ onHand: 400, reserved: 350, available: 50 });
    expect(env.ctx.db.select().from(materialReservations).all()).toHaveLength(3);
    expect((await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: -1 })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: 1.5 })).statusCode).toBe(400);
    expect(put.json()).toMatchObject({ reorderPoint: null, belowReorderPoint: false });
    expect((await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: 400, reorderPoint: -1 })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: 400, reorderPoint: 2.5 })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/materials/M-FLUTE', { name: 'Flute', onHand: 400, reorderPoint: 60 })).json()).toMatchObject({ reorderPoint: 60, belowReorderPoint: true });
  });

  it('capacity: booked hours per day from active bookings; PUT keeps them', async () => {
    const at = new Date().toISOString();
    env.ctx.db
      .insert(capacityBookings)
      .values([
        { orderId: 'O-1', revision: 1, day: '2030-01-02', hours: 4.5, bookedAt: at },
        { orderId: 'O-2', revision: 1, day: '2030-01-02', hours: 1.25, bookedAt: at },
        { orderId: 'O-2', revision: 1, day: '2030-01-01', hours: 2, bookedAt: at },
        { orderId: 'O-3', revision: 1, day: '2030-01-01', hours: 10, bookedAt: at, releasedAt: at },
      ])
      .run();
    const put = await call('PUT', '/v1/capacity', { hoursPerDay: 20 });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({
      hoursPerDay: 20,
      updatedAt: expect.any(String),
      booked: [
        { day: '2030-01-01', hours: 2, used: 0 },
        { day: '2030-01-02', hours: 5.75, used: 0 },
      ],
    });
    expect((await call('GET', '/v1/capacity')).json().hoursPerDay).toBe(20);
    expect(env.ctx.db.select().from(capacityBookings).all()).toHaveLength(4);
    expect((await call('PUT', '/v1/capacity', { hoursPerDay: 0 })).statusCode).toBe(400);
  });

  it('lists customers, products and materials with keyset pages', async () => {
    for (const id of ['C-L1', 'C-L2', 'C-L3']) {
      await call('PUT', `/v1/customers/${id}`, { name: id, tier: 'standard', creditLimit: '1', openBalance: '0', allowedPaymentTerms: [], onHold: false });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/v1/customers?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { customerId: string }[]; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c) => c.customerId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['C-BIG', 'C-SMALL', 'C-L1', 'C-L2', 'C-L3']));
    expect(new Set(seen).size).toBe(seen.length);

    expect((await call('GET', '/v1/products')).json().items.map((p: { sku: string }) => p.sku)).toEqual(expect.arrayContaining(['BOX-1', 'BOX-2']));
    const mats = (await call('GET', '/v1/materials')).json().items;
    expect(mats.find((m: { materialId: string }) => m.materialId === 'M-KRAFT')).toMatchObject({ reserved: 0, available: 1_000_000 });
  });
});
