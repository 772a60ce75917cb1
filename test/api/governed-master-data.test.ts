/**
 * Governed master data end to end (contract section 10), through the real HTTP API (fetch against a listening app), a
 * worker wired like production and the run's Temporal server: who may write, the versions kept, the evidence each
 * check decided on, rechecks after a master-data change, returning customers' defaults, repeat orders, and the
 * customer's record in the risk score.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, createTestApp, daysFromNow, type TestApp, type TestPrincipalId, uniqueOrderId } from '../helpers/app';
import { startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

interface Answer {
  status: number;
  body: any;
}

interface Step {
  step: string;
  status: string;
  findings: { code: string }[];
  evidence?: Record<string, any> | null;
}

/** "1250.00" → 125000, to check that evidence adds up to the cent. */
const minor = (s: string): number => Math.round(Number(s) * 100);

describe('governed master data', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };
  let base: string;

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('governed'), rateLimit: { max: 100_000 } });
    worker = await startReviewWorker(ctx, t);
    base = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await ctx?.app.close();
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  async function call(method: string, path: string, as: TestPrincipalId, body?: unknown): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.tokens[as]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  const put = (path: string, body: unknown, as: TestPrincipalId = 'erp') => call('PUT', path, as, body);
  const customer = (overrides: Record<string, unknown> = {}) => ({
    name: 'Customer',
    tier: 'vip',
    creditLimit: '1000000.00',
    openBalance: '0.00',
    allowedPaymentTerms: ['NET30', 'NET60'],
    onHold: false,
    ...overrides,
  });

  async function waitFor(id: string, predicate: (o: any) => boolean, what: string): Promise<any> {
    const deadline = Date.now() + 30_000;
    let last: any;
    while (Date.now() < deadline) {
      last = (await call('GET', `/v1/orders/${id}`, 'auditor')).body;
      if (last && predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
  }
  const stepOf = (o: any, step: string): Step => o.steps.find((s: Step) => s.step === step);
  const finished = (o: any) => ['approved', 'rejected', 'cancelled', 'expired'].includes(o.status);

  async function submit(body: Record<string, unknown>, as: TestPrincipalId = 'shop'): Promise<string> {
    const res = await call('POST', '/v1/orders', as, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.orderId as string;
  }

  it('an integrator may not write master data (403, nothing changes); erp writes version 2 with what changed and who', async () => {
    expect((await put('/v1/customers/C-GOV', customer({ creditLimit: '1000.00' }))).body.version).toBe(1);

    const refused = await put('/v1/customers/C-GOV', customer({ creditLimit: '99999999.00', onHold: false }), 'shop');
    expect(refused.status).toBe(403);
    expect((await put('/v1/products/BOX-1', { name: 'Free box', unitPrice: '0.01', hoursPerUnit: 0, materials: [] }, 'shop')).status).toBe(403);
    expect((await call('GET', '/v1/customers/C-GOV', 'shop')).body).toMatchObject({ creditLimit: '1000.00', version: 1 });
    expect((await call('GET', '/v1/products/BOX-1', 'shop')).body).toMatchObject({ unitPrice: '12.50' });
    expect((await call('GET', '/v1/customers/C-GOV/versions', 'shop')).body).toHaveLength(1);

    const raised = await put('/v1/customers/C-GOV', customer({ creditLimit: '5000.00' }));
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ creditLimit: '5000.00', version: 2 });
    // The same PUT again changes nothing: no version 3.
    expect((await put('/v1/customers/C-GOV', customer({ creditLimit: '5000' }))).body.version).toBe(2);

    const versions = (await call('GET', '/v1/customers/C-GOV/versions', 'finance')).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions[1]).toEqual({ version: 2, at: raised.body.updatedAt, by: 'erp', changes: { creditLimit: { from: '1000.00', to: '5000.00' } } });
  });

  it("a clean order's steps show the evidence they passed on; the credit exposure adds up", async () => {
    await put('/v1/customers/C-EVID', customer({ creditLimit: '100000.00', openBalance: '250.50' }));
    // An earlier order of the customer is open (approved, not invoiced): it counts towards the exposure.
    const first = await submit(cleanOrder({ customerId: 'C-EVID' }));
    await waitFor(first, (o) => o.status === 'approved', 'the first order');
    const id = await submit(cleanOrder({ customerId: 'C-EVID', lines: [{ sku: 'BOX-1', quantity: 40, unitPrice: '12.50' }], declaredTotal: '500.00' }));
    const done = await waitFor(id, (o) => o.status === 'approved', 'approval');

    const credit = stepOf(done, 'credit');
    expect(credit.status).toBe('auto_approved');
    const e = credit.evidence!;
    expect(e).toMatchObject({
      customerVersion: 1,
      creditLimit: '100000.00',
      openBalance: '250.50',
      openOrders: '1250.00',
      thisOrder: '500.00',
      exposure: '2000.50',
      onHold: false,
      paymentTerms: 'NET30',
      allowedPaymentTerms: ['NET30', 'NET60'],
    });
    expect(minor(e.openBalance) + minor(e.openOrders) + minor(e.thisOrder)).toBe(minor(e.exposure));
    expect(minor(e.exposure)).toBeLessThanOrEqual(minor(e.creditLimit));

    expect(stepOf(done, 'info_check').evidence).toMatchObject({ products: [{ sku: 'BOX-1', version: 1, listPrice: '12.50' }] });
    expect(stepOf(done, 'capacity').evidence).toMatchObject({
      hoursNeeded: 0.4,
      hoursPerDay: 16,
      capacityVersion: 1,
      requestedDeliveryDate: daysFromNow(30),
      products: [{ sku: 'BOX-1', version: 1, hoursPerUnit: 0.01 }],
    });
    expect(stepOf(done, 'capacity').evidence!.hoursFree).toBeGreaterThan(0.4);
    const kraft = stepOf(done, 'materials').evidence!.materials[0];
    expect(kraft).toMatchObject({ materialId: 'M-KRAFT', version: 1, needed: 80, onHand: 1_000_000 });
    expect(kraft.available).toBe(kraft.onHand - kraft.reserved);
    expect(kraft.reserved).toBeGreaterThanOrEqual(200); // the first order's 100 boxes × 2 sheets, at least
    expect(stepOf(done, 'special_requirements').evidence ?? null).toBeNull();

    // The audit (read from the log) shows the same evidence on each automatic check.
    const audit = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).body.events;
    const checked = audit.find((x: any) => x.type === 'check_completed' && x.step === 'credit');
    expect(checked.detail).toMatchObject({ outcome: 'auto_approved', evidence: e });
  });

  it('after finance has the limit raised, a recheck turns the waiting credit step auto_approved and the order goes on', async () => {
    await put('/v1/customers/C-RECHECK', customer({ creditLimit: '1000.00' }));
    const id = await submit(cleanOrder({ customerId: 'C-RECHECK' }));
    const waiting = await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    expect(stepOf(waiting, 'credit').evidence).toMatchObject({ creditLimit: '1000.00', exposure: '1250.00', customerVersion: 1 });

    // Not finance's colleagues in production; and an order without the step waiting is 409.
    expect((await call('POST', `/v1/orders/${id}/steps/credit/recheck`, 'production')).status).toBe(403);
    const notWaiting = await call('POST', `/v1/orders/${id}/steps/capacity/recheck`, 'production');
    expect(notWaiting.status).toBe(409);
    expect(notWaiting.body.detail).toMatch(/approved automatically/);

    // Rechecked before the limit changed: still waiting, with the same finding.
    const same = await call('POST', `/v1/orders/${id}/steps/credit/recheck`, 'finance');
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(stepOf(same.body, 'credit')).toMatchObject({ status: 'awaiting_decision', findings: [{ code: 'CREDIT_LIMIT_EXCEEDED' }] });

    await put('/v1/customers/C-RECHECK', customer({ creditLimit: '5000.00' }));
    const rechecked = await call('POST', `/v1/orders/${id}/steps/credit/recheck`, 'finance');
    expect(rechecked.status, JSON.stringify(rechecked.body)).toBe(200);
    const credit = stepOf(rechecked.body, 'credit');
    expect(credit).toMatchObject({ status: 'auto_approved', findings: [], decision: null });
    expect(credit.evidence).toMatchObject({ creditLimit: '5000.00', customerVersion: 2, exposure: '1250.00' });
    // Every step passed on its own now, so final approval does too.
    const done = await waitFor(id, finished, 'the end of the review');
    expect(done.status).toBe('approved');
    expect(stepOf(done, 'final_approval').status).toBe('auto_approved');

    const again = await call('POST', `/v1/orders/${id}/steps/credit/recheck`, 'finance');
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('order is approved');

    const audit = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).body.events;
    const rechecks = audit.filter((x: any) => x.type === 'step_rechecked');
    expect(rechecks).toEqual([
      expect.objectContaining({ step: 'credit', actor: 'finance', detail: expect.objectContaining({ outcome: 'findings' }) }),
      expect.objectContaining({
        step: 'credit',
        actor: 'finance',
        detail: { outcome: 'auto_approved', findings: [], evidence: expect.objectContaining({ creditLimit: '5000.00', customerVersion: 2 }) },
      }),
    ]);
  });

  it('a capacity recheck that passes books the hours, exactly as the first check would have', async () => {
    await put('/v1/products/P-SLOW', { name: 'Hand-made box', unitPrice: '1.00', hoursPerUnit: 10, materials: [] });
    const hoursPerDay = (await call('GET', '/v1/capacity', 'production')).body.hoursPerDay as number;
    // 100 hours in 3 production days: more than 3 × 16 are free.
    const id = await submit(cleanOrder({ requestedDeliveryDate: daysFromNow(3), lines: [{ sku: 'P-SLOW', quantity: 10, unitPrice: '1.00' }], declaredTotal: '10.00' }));
    const waiting = await waitFor(id, (o) => o.awaiting.includes('capacity'), 'capacity to await production');
    expect(stepOf(waiting, 'capacity').evidence).toMatchObject({ hoursNeeded: 100, hoursPerDay });
    const bookedFor = async () => ((await call('GET', '/v1/capacity', 'production')).body.booked as { hours: number }[]).reduce((s, b) => s + b.hours, 0);
    const before = await bookedFor();

    try {
      await put('/v1/capacity', { hoursPerDay: 40 });
      const rechecked = await call('POST', `/v1/orders/${id}/steps/capacity/recheck`, 'production');
      expect(rechecked.status, JSON.stringify(rechecked.body)).toBe(200);
      expect(stepOf(rechecked.body, 'capacity')).toMatchObject({ status: 'auto_approved', evidence: { hoursNeeded: 100, hoursPerDay: 40 } });
      expect(await bookedFor()).toBeCloseTo(before + 100, 6);
      const audit = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).body.events;
      expect(audit).toContainEqual(expect.objectContaining({ type: 'holds_reserved', step: 'capacity' }));
    } finally {
      await put('/v1/capacity', { hoursPerDay });
    }
  });

  it("an order without payment terms, currency or ship-to gets the customer's defaults and says so", async () => {
    const shipTo = { name: 'Main DC', street: '1 Harbour Road', city: 'Ningbo', postalCode: '315000', country: 'CN' };
    await put('/v1/customers/C-RETURN', customer({ defaults: { paymentTerms: 'NET60', currency: 'EUR', shipTo, contact: { email: 'buyer@example.com' } } }));
    const { paymentTerms: _p, currency: _c, ...body } = cleanOrder({ customerId: 'C-RETURN' });
    const res = await call('POST', '/v1/orders', 'shop', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.order).toMatchObject({ paymentTerms: 'NET60', currency: 'EUR', shipTo, filledFromCustomer: ['paymentTerms', 'currency', 'shipTo'] });
    const done = await waitFor(res.body.orderId, finished, 'the end of the review');
    expect(done.status).toBe('approved');
    expect(done.order.filledFromCustomer).toEqual(['paymentTerms', 'currency', 'shipTo']);
    expect(stepOf(done, 'credit').evidence).toMatchObject({ paymentTerms: 'NET60' });
    // The same body again is the same order, even after the defaults changed.
    await put('/v1/customers/C-RETURN', customer({ defaults: { paymentTerms: 'NET30', currency: 'CNY' } }));
    const again = await call('POST', '/v1/orders', 'shop', body);
    expect(again.status).toBe(200);
    expect(again.body.order.paymentTerms).toBe('NET60');

    // What the order gives wins over the defaults; and only what it left out is listed.
    const own = await call('POST', '/v1/orders', 'shop', { ...body, orderId: uniqueOrderId(), paymentTerms: 'NET60' });
    expect(own.body.order).toMatchObject({ paymentTerms: 'NET60', currency: 'CNY', filledFromCustomer: ['currency'] });
    expect(own.body.order).not.toHaveProperty('shipTo');

    // A customer with no defaults: 422 naming each missing field, and nothing is stored.
    const missingId = uniqueOrderId();
    const { paymentTerms: _q, currency: _d, ...bare } = cleanOrder({ orderId: missingId });
    const missing = await call('POST', '/v1/orders', 'shop', bare);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      { path: 'paymentTerms', message: expect.stringContaining('C-BIG') },
      { path: 'currency', message: expect.stringContaining('no default') },
    ]);
    expect((await call('GET', `/v1/orders/${missingId}`, 'shop')).status).toBe(404);
  });

  it("a repeat order copies an earlier order's lines at today's list prices", async () => {
    await put('/v1/customers/C-REPEAT', customer());
    await put('/v1/products/P-REP', { name: 'Repeat box', unitPrice: '10.00', hoursPerUnit: 0.01, materials: [] });
    const lines = [
      { sku: 'P-REP', quantity: 7, unitPrice: '10.00' },
      { sku: 'BOX-1', quantity: 3, unitPrice: '12.50' },
    ];
    const firstId = await submit(cleanOrder({ customerId: 'C-REPEAT', lines, declaredTotal: '107.50', notes: 'first' }));
    await waitFor(firstId, finished, 'the first order');

    await put('/v1/products/P-REP', { name: 'Repeat box', unitPrice: '11.20', hoursPerUnit: 0.01, materials: [] });
    const repeat = { orderId: uniqueOrderId(), customerId: 'C-REPEAT', channel: 'web', currency: 'CNY', paymentTerms: 'NET30', repeatOf: firstId, requestedDeliveryDate: daysFromNow(45) };
    const res = await call('POST', '/v1/orders', 'shop', repeat);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.order).toMatchObject({
      repeatOf: firstId,
      requestedDeliveryDate: daysFromNow(45),
      lines: [
        { sku: 'P-REP', quantity: 7, unitPrice: '11.20', lineTotal: '78.40' },
        { sku: 'BOX-1', quantity: 3, unitPrice: '12.50', lineTotal: '37.50' },
      ],
      total: '115.90',
      declaredTotal: null,
      notes: null,
    });
    // At list price, so sales has nothing to look at.
    const done = await waitFor(repeat.orderId, finished, 'the repeat order');
    expect(done.status).toBe('approved');
    expect(stepOf(done, 'info_check').evidence).toMatchObject({ products: [{ sku: 'P-REP', version: 2, listPrice: '11.20' }, { sku: 'BOX-1' }] });

    // Idempotent by orderId: the same body answers the same order, even after the price moved again.
    await put('/v1/products/P-REP', { name: 'Repeat box', unitPrice: '12.00', hoursPerUnit: 0.01, materials: [] });
    const again = await call('POST', '/v1/orders', 'shop', repeat);
    expect(again.status).toBe(200);
    expect(again.body.order.total).toBe('115.90');
    expect((await call('POST', '/v1/orders', 'shop', { ...repeat, requestedDeliveryDate: daysFromNow(46) })).status).toBe(409);

    // Only the integrator's own orders (another's answers exactly like a missing one), only of the same customer,
    // never with lines of its own.
    const foreign = await call('POST', '/v1/orders', 'partner', { ...repeat, orderId: uniqueOrderId() });
    const missing = await call('POST', '/v1/orders', 'shop', { ...repeat, orderId: uniqueOrderId(), repeatOf: 'NO-SUCH-ORDER' });
    expect([foreign.status, missing.status]).toEqual([422, 422]);
    expect(foreign.body.errors).toEqual([{ path: 'repeatOf', message: expect.stringContaining('no order') }]);
    expect(missing.body.errors).toEqual([{ path: 'repeatOf', message: 'no order NO-SUCH-ORDER submitted by you' }]);
    const other = await call('POST', '/v1/orders', 'shop', { ...repeat, orderId: uniqueOrderId(), customerId: 'C-BIG' });
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([{ path: 'repeatOf', message: expect.stringContaining('C-REPEAT') }]);
    const both = await call('POST', '/v1/orders', 'shop', { ...repeat, orderId: uniqueOrderId(), lines });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { path: string }) => e.path)).toContain('lines');
  });

  it('a customer with a record of rejections scores higher, with the reason', async () => {
    await put('/v1/customers/C-RISKY', customer({ tier: 'standard', creditLimit: '1000.00' }));
    await put('/v1/customers/C-FRESH', customer({ tier: 'standard', creditLimit: '1000.00' }));
    for (let i = 0; i < 3; i++) {
      const id = await submit(cleanOrder({ customerId: 'C-RISKY' }));
      await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
      expect((await call('POST', `/v1/orders/${id}/steps/credit/decision`, 'finance', { decision: 'reject', comment: 'over the limit' })).status).toBe(200);
      await waitFor(id, (o) => o.status === 'rejected', 'rejection');
    }
    const small = { lines: [{ sku: 'BOX-1', quantity: 4, unitPrice: '12.50' }], declaredTotal: '50.00' };
    const risky = await waitFor(await submit(cleanOrder({ customerId: 'C-RISKY', ...small })), (o) => o.risk !== null, 'the risk score');
    const fresh = await waitFor(await submit(cleanOrder({ customerId: 'C-FRESH', ...small })), (o) => o.risk !== null, 'the risk score');

    expect(risky.risk.reasons).toContain("3 of the customer's last 3 orders were rejected or sent back for changes (+30)");
    expect(fresh.risk.reasons.join(' ')).not.toMatch(/rejected or sent back/);
    expect(risky.risk.score).toBe(fresh.risk.score + 30);
    // Above the automatic approval maximum: management decides the final approval.
    const waiting = await waitFor(risky.orderId, (o) => o.awaiting.includes('final_approval') || finished(o), 'final approval');
    expect(stepOf(waiting, 'final_approval').findings.map((f) => f.code)).toContain('RISK_SCORE_TOO_HIGH');
  });
});
