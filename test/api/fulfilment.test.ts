/**
 * Fulfilment feedback after approval (contract section 9) through real HTTP, a real worker with the relays wired like
 * production, and a real SMTP peer: the ERP's reports keep credit exposure, stock, capacity and the tracking page
 * true, and a material crossing its reorder point tells procurement once.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderEventsOf } from '../../db/events';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { FAST_RELAYS, startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

interface Answer {
  status: number;
  body: any;
}

async function startSmtp(): Promise<{ url: string; mails: { to: string[]; raw: string }[]; close(): Promise<void> }> {
  const mails: { to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((r) => server.close(() => r())) };
}

describe('fulfilment feedback', () => {
  let t: TestClient;
  let ctx: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: { stop(): Promise<void> };
  let base: string;

  beforeAll(async () => {
    t = await connectTestClient();
    smtp = await startSmtp();
    ctx = await createTestApp({
      temporal: t.client,
      taskQueue: uniqueTaskQueue('fulfilment'),
      relays: { options: FAST_RELAYS },
      env: { SMTP_URL: smtp.url },
    });
    worker = await startReviewWorker(ctx, t);
    base = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    const buyer = { id: 'paula', name: 'Paula', roles: ['approver:procurement'], email: 'paula@example.com' };
    expect((await call('POST', '/v1/principals', 'admin', buyer)).status).toBe(201);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await smtp?.close();
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

  const fulfil = (orderId: string, body: unknown, as: TestPrincipalId = 'erp') => call('POST', `/v1/orders/${orderId}/fulfilment`, as, body);
  const material = async (id: string) => (await call('GET', `/v1/materials/${id}`, 'admin')).body;

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

  /** Submits an order and waits until its review rests (approved, or a step awaits someone). */
  async function submit(body: Record<string, unknown>): Promise<any> {
    const res = await call('POST', '/v1/orders', 'shop', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return waitFor(body.orderId as string, (o) => o.status !== 'in_review' || o.awaiting.length > 0, 'the review to rest');
  }

  const approvedOrder = async (body: Record<string, unknown>) => {
    const o = await submit(body);
    expect(o.status, JSON.stringify(o.steps)).toBe('approved');
    return o;
  };

  const stepOf = (o: any, step: string) => o.steps.find((s: { step: string }) => s.step === step);

  it('a limit that fits two orders: the third waits for finance until the first two are invoiced, then passes by itself', async () => {
    const customer = { name: 'Two-order shop', tier: 'standard', creditLimit: '2500.00', openBalance: '0.00', allowedPaymentTerms: ['NET30'], onHold: false };
    expect((await call('PUT', '/v1/customers/C-TWO', 'admin', customer)).status).toBe(200);
    const order = () => cleanOrder({ customerId: 'C-TWO' }); // 1250.00 each

    const first = await approvedOrder(order());
    const second = await approvedOrder(order());
    const third = await submit(order());
    expect(third.status).toBe('in_review');
    expect(third.awaiting).toEqual(['credit']);
    expect(stepOf(third, 'credit').findings.map((f: { code: string }) => f.code)).toEqual(['CREDIT_LIMIT_EXCEEDED']);
    expect(stepOf(third, 'credit').findings[0].message).toContain('open orders 2500.00');
    expect((await call('POST', `/v1/orders/${third.orderId}/cancel`, 'shop', { reason: 'over the limit' })).status).toBe(200);

    // Shipped and delivered is not enough: the orders are open business until invoiced.
    for (const o of [first, second]) {
      expect((await fulfil(o.orderId, { event: 'shipped', reference: `DN-${o.orderId}` })).status).toBe(201);
    }
    const stillOpen = await submit(order());
    expect(stillOpen.awaiting).toEqual(['credit']);
    expect((await call('POST', `/v1/orders/${stillOpen.orderId}/cancel`, 'shop', { reason: 'over the limit' })).status).toBe(200);

    for (const o of [first, second]) {
      const invoiced = await fulfil(o.orderId, { event: 'invoiced', reference: `INV-${o.orderId}` });
      expect(invoiced.status, JSON.stringify(invoiced.body)).toBe(201);
      expect(invoiced.body.fulfilment.status).toBe('invoiced');
    }
    const next = await approvedOrder(order());
    expect(stepOf(next, 'credit').status).toBe('auto_approved');
    const fourth = await approvedOrder(order());
    expect(stepOf(fourth, 'credit').status).toBe('auto_approved');
    // Two open again: the next one waits for finance once more.
    const fifth = await submit(order());
    expect(fifth.awaiting).toEqual(['credit']);
  });

  it('a partial shipment consumes exactly the shipped quantity; the same report again changes nothing; closing releases the rest', async () => {
    await call('PUT', '/v1/materials/M-SHIP', 'admin', { name: 'Shipping board', onHand: 1000 });
    await call('PUT', '/v1/products/BOX-S', 'admin', { name: 'Shipper', unitPrice: '2.00', hoursPerUnit: 0.1, materials: [{ materialId: 'M-SHIP', quantityPerUnit: 3 }] });
    const body = cleanOrder({ lines: [{ sku: 'BOX-S', quantity: 50, unitPrice: '2.00' }], declaredTotal: '100.00' });
    const id = body.orderId as string;
    const approved = await approvedOrder(body);
    expect(approved.fulfilment).toEqual({ status: 'approved', events: [], shipped: [{ sku: 'BOX-S', ordered: 50, shipped: 0 }], afterSalesCases: [] });
    expect(approved.plannedCompletionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await material('M-SHIP')).toMatchObject({ onHand: 1000, reserved: 150, available: 850 });
    const capacityBefore = (await call('GET', '/v1/capacity', 'admin')).body.booked;
    const usedOf = (days: { used: number }[]) => days.reduce((s, d) => s + d.used, 0);
    const planned = capacityBefore.find((d: { day: string }) => d.day === approved.plannedCompletionDate);
    expect(planned.hours).toBeGreaterThanOrEqual(5);

    const link = await call('POST', `/v1/orders/${id}/tracking-link`, 'shop');
    expect(link.status).toBe(201);

    expect((await fulfil(id, { event: 'production_started', reference: 'WO-1' })).body.fulfilment.status).toBe('in_production');
    const shipment = { event: 'shipped', reference: 'DN-1', at: '2026-12-01T08:00:00Z', lines: [{ sku: 'BOX-S', quantity: 20 }] };
    const shipped = await fulfil(id, shipment);
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(201);
    expect(shipped.body.fulfilment).toMatchObject({
      status: 'partially_shipped',
      shipped: [{ sku: 'BOX-S', ordered: 50, shipped: 20 }],
      events: [
        { event: 'production_started', reference: 'WO-1', lines: null, recordedBy: 'erp' },
        { event: 'shipped', reference: 'DN-1', at: '2026-12-01T08:00:00.000Z', lines: [{ sku: 'BOX-S', quantity: 20 }], recordedBy: 'erp' },
      ],
    });
    // 20 × 3 consumed: on hand and reserved fall together, available stays.
    expect(await material('M-SHIP')).toMatchObject({ onHand: 940, reserved: 90, available: 850 });
    const used = usedOf((await call('GET', '/v1/capacity', 'admin')).body.booked) - usedOf(capacityBefore);
    expect(used).toBeCloseTo(2, 6); // 20 × 0.1 h

    // The ERP retries: 200, the same view, nothing consumed twice, one event.
    const again = await fulfil(id, shipment);
    expect(again.status).toBe(200);
    expect(again.body.fulfilment).toEqual(shipped.body.fulfilment);
    expect(await material('M-SHIP')).toMatchObject({ onHand: 940, reserved: 90 });
    const shippedEvents = () => orderEventsOf(ctx.db, id).filter((e) => e.type === 'order.fulfilment' && e.data.event === 'shipped');
    expect(shippedEvents()).toHaveLength(1);
    expect(shippedEvents()[0]!.data).toMatchObject({ event: 'shipped', reference: 'DN-1', status: 'partially_shipped', lines: [{ sku: 'BOX-S', quantity: 20 }] });
    // Another body under the same key is a conflict, not a second shipment.
    const conflicting = await fulfil(id, { ...shipment, lines: [{ sku: 'BOX-S', quantity: 21 }] });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.detail).toMatch(/different body/);

    // More than is left: 422 naming the line, and nothing changed.
    const eventsBefore = orderEventsOf(ctx.db, id).length;
    const over = await fulfil(id, { event: 'shipped', reference: 'DN-2', lines: [{ sku: 'BOX-S', quantity: 31 }] });
    expect(over.status).toBe(422);
    expect(over.body.errors).toEqual([{ path: 'lines.0.quantity', message: expect.stringMatching(/more than the 30 still to ship/) }]);
    const notOrdered = await fulfil(id, { event: 'shipped', reference: 'DN-2', lines: [{ sku: 'BOX-1', quantity: 1 }] });
    expect(notOrdered.status).toBe(422);
    expect(notOrdered.body.errors).toEqual([{ path: 'lines.0.sku', message: 'BOX-1 is not on the order' }]);
    expect(await material('M-SHIP')).toMatchObject({ onHand: 940, reserved: 90 });
    expect(orderEventsOf(ctx.db, id)).toHaveLength(eventsBefore);
    expect((await call('GET', `/v1/orders/${id}`, 'erp')).body.fulfilment.events).toHaveLength(2);

    // The customer's page says it is on its way.
    const track = await call('GET', `/v1/track/${link.body.token}`, 'admin');
    expect(track.body.status).toBe('shipped');
    expect(track.body.stages.find((s: { key: string }) => s.key === 'shipped')).toMatchObject({ done: true, at: '2026-12-01T08:00:00.000Z' });
    expect(track.body.stages.find((s: { key: string }) => s.key === 'in_production')).toMatchObject({ done: true });

    expect((await fulfil(id, { event: 'delivered', reference: 'POD-1' })).body.fulfilment.status).toBe('delivered');
    const closed = await fulfil(id, { event: 'closed', reference: 'CLOSE-1' });
    expect(closed.status).toBe(201);
    expect(closed.body.fulfilment.status).toBe('closed');
    // What the remaining 30 reserved is free again; what was shipped stays consumed.
    expect(await material('M-SHIP')).toMatchObject({ onHand: 940, reserved: 0, available: 940 });
    const afterClose = (await call('GET', '/v1/capacity', 'admin')).body.booked;
    const hoursOf = (days: { day: string; hours: number }[]) => days.reduce((s, d) => s + d.hours, 0);
    expect(hoursOf(capacityBefore) - hoursOf(afterClose)).toBeCloseTo(3, 6); // the 30 unshipped × 0.1 h
    expect(orderEventsOf(ctx.db, id).find((e) => e.data.event === 'closed')?.data).toEqual({ event: 'closed', reference: 'CLOSE-1', status: 'closed' });

    // After closing, nothing more can happen to the order but an after-sales case.
    const late = await fulfil(id, { event: 'shipped', reference: 'DN-3' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/closed/);
    const rma = await fulfil(id, { event: 'after_sales_opened', reference: 'CASE-77' });
    expect(rma.status).toBe(201);
    expect(rma.body.fulfilment).toMatchObject({ status: 'closed', afterSalesCases: [{ reference: 'CASE-77' }] });
    // A repeat of an earlier report still answers 200.
    expect((await fulfil(id, shipment)).status).toBe(200);
  });

  it('shipping without lines ships the rest; an order with nothing left to ship answers 422', async () => {
    const body = cleanOrder({ lines: [{ sku: 'BOX-2', quantity: 10, unitPrice: '34.00' }], declaredTotal: '340.00' });
    const id = body.orderId as string;
    await approvedOrder(body);
    const all = await fulfil(id, { event: 'shipped', reference: 'DN-ALL' });
    expect(all.body.fulfilment).toMatchObject({ status: 'shipped', shipped: [{ sku: 'BOX-2', ordered: 10, shipped: 10 }] });
    const more = await fulfil(id, { event: 'shipped', reference: 'DN-MORE' });
    expect(more.status).toBe(422);
    expect(more.body.errors).toEqual([{ path: 'lines', message: expect.stringMatching(/already been shipped/) }]);
  });

  it('a material crossing its reorder point writes one event and notifies procurement once per crossing', async () => {
    await call('PUT', '/v1/materials/M-ROP', 'admin', { name: 'Window film', onHand: 1000, reorderPoint: 700 });
    await call('PUT', '/v1/products/BOX-ROP', 'admin', { name: 'Window box', unitPrice: '1.00', hoursPerUnit: 0.001, materials: [{ materialId: 'M-ROP', quantityPerUnit: 1 }] });
    const order = (quantity: number) => cleanOrder({ lines: [{ sku: 'BOX-ROP', quantity, unitPrice: '1.00' }], declaredTotal: `${quantity}.00` });
    // The feed as the ERP or an auditor reads it.
    const logged = async () =>
      ((await call('GET', '/v1/events?types=material.below_reorder_point&limit=200', 'auditor')).body.items as { data: { materialId: string } }[])
        .map((e) => e.data)
        .filter((d) => d.materialId === 'M-ROP');
    const mails = () => smtp.mails.filter((m) => m.to.includes('paula@example.com') && m.raw.includes('M-ROP'));

    await approvedOrder(order(200)); // 800 available: at or above 700
    expect(await logged()).toEqual([]);
    const crossing = await approvedOrder(order(200)); // 600: below
    expect(await logged()).toEqual([{ materialId: 'M-ROP', available: 600, reorderPoint: 700, onHand: 1000, reserved: 400, orderId: crossing.orderId }]);
    const listed = await call('GET', '/v1/materials?belowReorderPoint=true', 'admin');
    expect(listed.body.items.map((m: { materialId: string }) => m.materialId)).toEqual(['M-ROP']);
    expect(listed.body.items[0]).toMatchObject({ available: 600, reorderPoint: 700, belowReorderPoint: true });
    expect((await call('GET', '/v1/materials?belowReorderPoint=false', 'admin')).body.items.length).toBeGreaterThan(1);

    const stillBelow = await approvedOrder(order(50)); // 550: still below, no new event
    expect(await logged()).toHaveLength(1);
    await expect.poll(() => mails().length, { timeout: 20_000, interval: 200 }).toBe(1);
    expect(mails()[0]!.raw).toMatch(/Material M-ROP is below its reorder point/);

    // Closing the two later orders unshipped gives their stock back (800 available), and the next fall is told again.
    for (const o of [crossing, stillBelow]) expect((await fulfil(o.orderId, { event: 'closed', reference: 'cancelled-by-customer' })).status).toBe(201);
    expect(await material('M-ROP')).toMatchObject({ available: 800, belowReorderPoint: false });
    await approvedOrder(order(150)); // 650
    expect(await logged()).toHaveLength(2);
    await expect.poll(() => mails().length, { timeout: 20_000, interval: 200 }).toBe(2);

    // A stock count that lowers onHand crosses too, once.
    await call('PUT', '/v1/materials/M-ROP', 'admin', { name: 'Window film', onHand: 2000, reorderPoint: 700 }); // 1650 available
    expect((await call('PUT', '/v1/materials/M-ROP', 'admin', { name: 'Window film', onHand: 1000, reorderPoint: 700 })).body).toMatchObject({ available: 650 });
    await call('PUT', '/v1/materials/M-ROP', 'admin', { name: 'Window film', onHand: 900, reorderPoint: 700 });
    expect(await logged()).toHaveLength(3);
    expect((await logged())[2]).toMatchObject({ available: 650, onHand: 1000 });
    await expect.poll(() => mails().length, { timeout: 20_000, interval: 200 }).toBe(3);
    const notified = (await call('GET', '/v1/notifications', 'admin')).body.items.filter((n: { kind: string }) => n.kind === 'below_reorder_point');
    expect(notified.map((n: { recipient: string; status: string }) => `${n.recipient} ${n.status}`)).toEqual(['paula sent', 'paula sent', 'paula sent']);
  });

  it('refuses fulfilment for an order in review (409), an unknown order (404) and a bad body (400)', async () => {
    const body = cleanOrder({ customerId: 'C-SMALL' });
    const waiting = await submit(body);
    expect(waiting.awaiting).toEqual(['credit']);
    expect(waiting.fulfilment).toBeNull();
    const refused = await fulfil(waiting.orderId, { event: 'shipped', reference: 'DN-X' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/is in_review/);
    expect((await fulfil('NO-SUCH-ORDER', { event: 'shipped', reference: 'DN-X' })).status).toBe(404);
    const bad = await fulfil(waiting.orderId, { event: 'teleported', reference: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['event', 'reference']);
    const linesOnInvoice = await fulfil(waiting.orderId, { event: 'invoiced', reference: 'INV-1', lines: [{ sku: 'BOX-1', quantity: 1 }] });
    expect(linesOnInvoice.status).toBe(400);
    expect(linesOnInvoice.body.errors).toEqual([{ path: 'lines', message: 'lines are given only for shipped' }]);
    expect(orderEventsOf(ctx.db, waiting.orderId).some((e) => e.type === 'order.fulfilment')).toBe(false);
  });

  it('an integrator cannot post fulfilment, not even for its own order', async () => {
    const body = cleanOrder();
    await approvedOrder(body);
    const res = await fulfil(body.orderId as string, { event: 'shipped', reference: 'DN-SHOP' }, 'shop');
    expect(res.status).toBe(403);
    expect((await call('GET', `/v1/orders/${body.orderId}`, 'shop')).body.fulfilment.events).toEqual([]);
  });
});
