/**
 * Master data refuses what the review could not use: a bill of materials naming a material that does not exist
 * (422, nothing stored), and names or short texts made of control characters (400). Normal Unicode is fine.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { principals, productMaterials, products } from '../../db/schema';
import { cleanOrder, useTestApp } from '../helpers/app';

describe('master data validation', () => {
  const env = useTestApp();

  const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
    env.ctx.app.inject({ method, url, headers: env.ctx.auth('admin'), ...(payload ? { payload } : {}) });

  const product = (materials: { materialId: string; quantityPerUnit: number }[]) => ({
    name: 'Box',
    unitPrice: '1.00',
    hoursPerUnit: 0.01,
    materials,
  });

  it('422 naming each unknown material of a bill of materials; nothing is stored', async () => {
    const res = await call('PUT', '/v1/products/P-NEW', product([{ materialId: 'M-KRAFT', quantityPerUnit: 1 }, { materialId: 'M-NOPE', quantityPerUnit: 2 }]));
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'urn:order-review:problem:unknown-reference', status: 422 });
    expect(res.json().errors).toEqual([{ path: 'materials.1.materialId', message: expect.stringContaining('M-NOPE') }]);
    expect(env.ctx.db.select().from(products).where(eq(products.sku, 'P-NEW')).all()).toEqual([]);
    expect(env.ctx.db.select().from(productMaterials).where(eq(productMaterials.sku, 'P-NEW')).all()).toEqual([]);
    expect((await call('GET', '/v1/products/P-NEW')).statusCode).toBe(404);
  });

  it('422 for an existing product leaves it as it was', async () => {
    const before = (await call('GET', '/v1/products/BOX-1')).json();
    const res = await call('PUT', '/v1/products/BOX-1', { ...product([{ materialId: 'M-GHOST', quantityPerUnit: 1 }]), name: 'Changed' });
    expect(res.statusCode).toBe(422);
    expect((await call('GET', '/v1/products/BOX-1')).json()).toEqual(before);
  });

  const controls: [string, string][] = [
    ['NUL', 'Acme\u0000'],
    ['a bell', '\u0007'],
    ['an ANSI escape', '\u001b[31mred'],
    ['a line break', 'Acme\nLtd'],
    ['DEL', 'Acme\u007f'],
    ['a C1 control', 'Acme\u0085'],
    ['a right-to-left override', 'Acme\u202eLtd'],
  ];

  it.each(controls)('400 for a name with %s, on every kind of record', async (_what, name) => {
    const answers = await Promise.all([
      call('PUT', '/v1/customers/C-CTL', { name, tier: 'standard', creditLimit: '1.00', openBalance: '0.00', allowedPaymentTerms: ['NET30'], onHold: false }),
      call('PUT', '/v1/materials/M-CTL', { name, onHand: 1 }),
      call('PUT', '/v1/products/P-CTL', { ...product([]), name }),
      call('POST', '/v1/principals', { id: 'p-ctl', name, roles: ['auditor'] }),
      call('PUT', '/v1/customers/C-CTL2', { name: 'Fine', tier: 'standard', creditLimit: '1.00', openBalance: '0.00', allowedPaymentTerms: [`NET${name}`], onHold: false }),
    ]);
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors[0].message).toMatch(/control character/);
    }
    expect(answers[0]!.json().errors[0].path).toBe('name');
    expect(answers[4]!.json().errors[0].path).toBe('allowedPaymentTerms.0');
    expect((await call('GET', '/v1/customers/C-CTL')).statusCode).toBe(404);
    expect(env.ctx.db.select().from(principals).where(eq(principals.id, 'p-ctl')).all()).toEqual([]);
  });

  it("refuses control characters in an order's texts; notes keep their line breaks", async () => {
    const submit = (o: Record<string, unknown>) =>
      env.ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth('shop'), payload: cleanOrder(o) });
    const bad = await Promise.all([
      submit({ paymentTerms: 'NET30\u0000' }),
      submit({ notes: 'call \u001b[2J first' }),
      submit({ specialRequirements: ['window\u202e'] }),
    ]);
    expect(bad.map((r) => r.statusCode)).toEqual([400, 400, 400]);
    expect(bad.map((r) => r.json().errors[0].path)).toEqual(['paymentTerms', 'notes', 'specialRequirements.0']);
    const ok = await submit({ notes: 'line one\nline two\ttabbed', customerId: 'C-NOPE' });
    // Past validation: the unknown customer is what stops it.
    expect(ok.statusCode, ok.body).toBe(422);
  });

  it('keeps ordinary Unicode names: Chinese, accents, emoji', async () => {
    for (const name of ['上海纸箱厂有限公司', 'Müller & Söhne GmbH', 'Café 📦 Boxes', 'Ünïcödé — “quoted”']) {
      const res = await call('PUT', '/v1/materials/M-UNI', { name, onHand: 5 });
      expect(res.statusCode, res.body).toBe(200);
      expect((await call('GET', '/v1/materials/M-UNI')).json().name).toBe(name);
    }
    const principal = await call('POST', '/v1/principals', { id: 'li-wei', name: '李伟', roles: ['auditor'] });
    expect(principal.statusCode, principal.body).toBe(201);
    expect(principal.json().name).toBe('李伟');
  });
});
