/**
 * Master data round trips: amounts as strings in and out, a PUT never touches reservations or bookings, only erp and
 * admin write, and every write that changes something keeps a version.
 */
import { describe, expect, it } from 'vitest';
import { capacityBookings, customers, masterDataVersions, materialReservations } from '../../db/schema';
import { type TestPrincipalId, useTestApp } from '../helpers/app';

describe('master data', () => {
  const env = useTestApp();

  const call = (method: 'GET' | 'PUT', url: string, payload?: object, as: TestPrincipalId = 'erp') =>
    env.ctx.app.inject({ method, url, headers: env.ctx.auth(as), ...(payload ? { payload } : {}) });

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
      defaults: {},
      version: 1,
      updatedAt: expect.any(String),
    };
    expect(put.json()).toEqual(expected);
    expect((await call('GET', '/v1/customers/C-1001')).json()).toEqual(expected);
    const row = env.ctx.db.select().from(customers).all().find((c) => c.id === 'C-1001')!;
    expect(row.creditLimitMinor).toBe(50_000_000);
    expect(row.openBalanceMinor).toBe(12_000_050);

    const replaced = await call('PUT', '/v1/customers/C-1001', { ...body, onHold: true, creditLimit: '1.00' });
    expect(replaced.json()).toMatchObject({ onHold: true, creditLimit: '1.00', version: 2 });
    expect((await call('GET', '/v1/customers/C-NONE')).statusCode).toBe(404);
    expect((await call('PUT', '/v1/customers/C-1001', { ...body, tier: 'gold' })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/customers/C-1001', { ...body, creditLimit: 5000 })).statusCode).toBe(400);
  });

  it('products: PUT replaces the bill of materials', async () => {
    expect((await call('PUT', '/v1/materials/M-GLUE', { name: 'Glue', onHand: 100 })).statusCode).toBe(200);
    const body = { name: 'Box', unitPrice: '12.5', hoursPerUnit: 0.05, materials: [{ materialId: 'M-KRAFT', quantityPerUnit: 2 }, { materialId: 'M-GLUE', quantityPerUnit: 5 }] };
    const put = await call('PUT', '/v1/products/BOX-E-001', body);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({
      sku: 'BOX-E-001',
      name: 'Box',
      unitPrice: '12.50',
      hoursPerUnit: 0.05,
      materials: [{ materialId: 'M-GLUE', quantityPerUnit: 5 }, { materialId: 'M-KRAFT', quantityPerUnit: 2 }],
      version: 1,
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
      version: 2,
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

  const customer = (overrides: Record<string, unknown> = {}) => ({
    name: 'Versioned',
    tier: 'standard',
    creditLimit: '1000.00',
    openBalance: '0.00',
    allowedPaymentTerms: ['NET30'],
    onHold: false,
    ...overrides,
  });

  it('integrators and approvers may read but not write; nothing changes on a refused write', async () => {
    await call('PUT', '/v1/customers/C-GUARD', customer());
    for (const as of ['shop', 'finance', 'auditor'] as const) {
      const res = await call('PUT', '/v1/customers/C-GUARD', customer({ creditLimit: '99999999.00' }), as);
      expect(res.statusCode, as).toBe(403);
      expect(res.json().detail).toMatch(/erp/);
      expect((await call('GET', '/v1/customers/C-GUARD', undefined, as)).json()).toMatchObject({ creditLimit: '1000.00', version: 1 });
    }
    expect((await call('GET', '/v1/customers/C-GUARD/versions')).json()).toHaveLength(1);
    expect((await call('PUT', '/v1/customers/C-GUARD', customer({ creditLimit: '2000.00' }), 'admin')).json().version).toBe(2);
  });

  it('versions: creation with every field, then only what changed, with who and when; an unchanged PUT keeps none', async () => {
    const created = await call('PUT', '/v1/customers/C-VER', customer());
    expect(created.json().version).toBe(1);
    const v1 = created.json().updatedAt;
    // The same record again (other spelling of the same values): no version, not even a new updatedAt.
    const same = await call('PUT', '/v1/customers/C-VER', customer({ creditLimit: '1000', allowedPaymentTerms: ['net30'] }));
    expect(same.json()).toMatchObject({ version: 1, updatedAt: v1 });
    const raised = await call('PUT', '/v1/customers/C-VER', customer({ creditLimit: '5000.00', onHold: true }), 'admin');
    expect(raised.json().version).toBe(2);

    const versions = (await call('GET', '/v1/customers/C-VER/versions', undefined, 'shop')).json();
    expect(versions).toEqual([
      {
        version: 1,
        at: v1,
        by: 'erp',
        changes: {
          name: { from: null, to: 'Versioned' },
          tier: { from: null, to: 'standard' },
          creditLimit: { from: null, to: '1000.00' },
          openBalance: { from: null, to: '0.00' },
          allowedPaymentTerms: { from: null, to: ['NET30'] },
          onHold: { from: null, to: false },
          defaults: { from: null, to: {} },
        },
      },
      {
        version: 2,
        at: raised.json().updatedAt,
        by: 'admin',
        changes: { creditLimit: { from: '1000.00', to: '5000.00' }, onHold: { from: false, to: true } },
      },
    ]);
    expect((await call('GET', '/v1/customers/C-NONE/versions')).statusCode).toBe(404);
  });

  it('product versions include the bill of materials; material and capacity versions too', async () => {
    const bom = [{ materialId: 'M-A', quantityPerUnit: 1 }, { materialId: 'M-B', quantityPerUnit: 2 }];
    // A bill of materials names only materials that exist.
    for (const m of bom) expect((await call('PUT', `/v1/materials/${m.materialId}`, { name: m.materialId, onHand: 10 })).statusCode).toBe(200);
    await call('PUT', '/v1/products/P-VER', { name: 'P', unitPrice: '1.00', hoursPerUnit: 0.1, materials: bom });
    // The same bill of materials in another order is no change.
    expect((await call('PUT', '/v1/products/P-VER', { name: 'P', unitPrice: '1', hoursPerUnit: 0.1, materials: [...bom].reverse() })).json().version).toBe(1);
    const changed = await call('PUT', '/v1/products/P-VER', { name: 'P', unitPrice: '1.10', hoursPerUnit: 0.1, materials: [{ materialId: 'M-A', quantityPerUnit: 3 }] });
    expect(changed.json().version).toBe(2);
    const pv = (await call('GET', '/v1/products/P-VER/versions', undefined, 'finance')).json();
    expect(pv.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(pv[1].changes).toEqual({
      unitPrice: { from: '1.00', to: '1.10' },
      materials: { from: bom, to: [{ materialId: 'M-A', quantityPerUnit: 3 }] },
    });

    await call('PUT', '/v1/materials/M-VER', { name: 'M', onHand: 10 });
    await call('PUT', '/v1/materials/M-VER', { name: 'M', onHand: 12 });
    const mv = (await call('GET', '/v1/materials/M-VER/versions', undefined, 'auditor')).json();
    expect(mv[1]).toMatchObject({ version: 2, by: 'erp', changes: { onHand: { from: 10, to: 12 } } });

    const before = (await call('GET', '/v1/capacity/versions')).json().length;
    const cap = (await call('GET', '/v1/capacity')).json().hoursPerDay;
    await call('PUT', '/v1/capacity', { hoursPerDay: cap + 1 });
    const cv = (await call('GET', '/v1/capacity/versions')).json();
    expect(cv).toHaveLength(before + 1);
    expect(cv.at(-1)).toMatchObject({ by: 'erp', changes: { hoursPerDay: { from: cap, to: cap + 1 } } });
  });

  it('two writers at once get consecutive versions, never the same one', async () => {
    await call('PUT', '/v1/materials/M-RACE', { name: 'Race', onHand: 0 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => call('PUT', '/v1/materials/M-RACE', { name: 'Race', onHand: i + 1 })));
    const rows = env.ctx.db.select().from(masterDataVersions).all().filter((r) => r.entity === 'material' && r.entityId === 'M-RACE');
    expect(rows.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('customer defaults: validated, stored upper-case, shown and versioned', async () => {
    const defaults = {
      paymentTerms: 'net30',
      currency: 'cny',
      shipTo: { name: 'DC', street: '1 Road', city: 'Shanghai', postalCode: '200000', country: 'cn' },
      contact: { name: 'Anna', email: 'anna@example.com', phone: '+86 21 5555 0100' },
    };
    const put = await call('PUT', '/v1/customers/C-DEF', customer({ defaults }));
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().defaults).toEqual({ ...defaults, paymentTerms: 'NET30', currency: 'CNY', shipTo: { ...defaults.shipTo, country: 'CN' } });

    const bad: [Record<string, unknown>, string][] = [
      [{ paymentTerms: 'NET90' }, 'defaults.paymentTerms'],
      [{ currency: 'YUAN' }, 'defaults.currency'],
      [{ shipTo: { street: '1 Road', city: 'X', country: 'China' } }, 'defaults.shipTo.country'],
      [{ shipTo: { city: 'X', country: 'CN' } }, 'defaults.shipTo.street'],
      [{ contact: { email: 'not-an-email' } }, 'defaults.contact.email'],
      [{ contact: { phone: 'call me' } }, 'defaults.contact.phone'],
      [{ discount: '5%' }, 'defaults.discount'],
    ];
    for (const [d, path] of bad) {
      const res = await call('PUT', '/v1/customers/C-DEF', customer({ defaults: d }));
      expect(res.statusCode, JSON.stringify(d)).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path), JSON.stringify(d)).toContain(path);
    }
    expect((await call('GET', '/v1/customers/C-DEF')).json()).toMatchObject({ version: 1, defaults: { paymentTerms: 'NET30' } });
  });
});
