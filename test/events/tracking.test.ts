/**
 * The customer's tracking page through HTTP with a real worker: a link made by the submitting integrator, the page
 * and its JSON in plain words ("needs your changes" with the reviewer's comment), none of the internals, and revocation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

describe('tracking page', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('tracking'), env: { PUBLIC_URL: 'https://orders.example.com' } });
    worker = await startReviewWorker(ctx, t);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, as?: TestPrincipalId, payload?: object) =>
    ctx.app.inject({ method, url, headers: as ? ctx.auth(as) : {}, ...(payload ? { payload } : {}) });
  const until = (id: string, pred: (o: { status: string; awaiting: string[] }) => boolean) =>
    expect.poll(async () => pred((await call('GET', `/v1/orders/${id}`, 'auditor')).json()), { timeout: 20_000 }).toBe(true);

  it('shows "needs your changes" with the comment, and never a finding code, a risk score or who reviewed', async () => {
    // Priced under the list price: info_check waits for sales (PRICE_MISMATCH), and sales asks for a change.
    const body = cleanOrder({ lines: [{ sku: 'BOX-1', quantity: 100, unitPrice: '11.00' }], declaredTotal: '1100.00' });
    const id = body.orderId as string;
    expect((await call('POST', '/v1/orders', 'shop', body)).statusCode).toBe(201);
    const link = await call('POST', `/v1/orders/${id}/tracking-link`, 'shop');
    expect(link.statusCode).toBe(201);
    const { url, token } = link.json();
    expect(url).toBe(`https://orders.example.com/track/${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Asking again gives the same link: the customer's keeps working.
    expect((await call('POST', `/v1/orders/${id}/tracking-link`, 'shop')).json()).toEqual({ url, token });

    await until(id, (o) => o.awaiting.includes('info_check'));
    const comment = 'Please confirm the list price of 12.50 per box';
    expect((await call('POST', `/v1/orders/${id}/steps/info_check/decision`, 'sales', { decision: 'request_changes', comment })).statusCode).toBe(200);
    await until(id, (o) => o.status === 'changes_requested');

    const json = await call('GET', `/v1/track/${token}`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['cache-control']).toBe('no-store');
    const view = json.json();
    expect(view).toMatchObject({ orderId: id, status: 'needs_changes', total: '1100.00', currency: 'CNY', lines: [{ product: 'Mailer box', quantity: 100 }] });
    expect(view.stages.map((s: { key: string }) => s.key)).toEqual(['received', 'under_review', 'needs_changes', 'approved', 'in_production', 'shipped', 'delivered']);
    expect(view.stages.find((s: { key: string }) => s.key === 'needs_changes')).toMatchObject({ label: 'Needs your changes', note: comment });

    const page = await call('GET', `/track/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Needs your changes');
    expect(page.body).toContain(comment);
    for (const text of [json.body, page.body]) {
      expect(text).not.toMatch(/PRICE_MISMATCH|[A-Z]+_[A-Z_]+/); // no finding code of any kind
      expect(text.toLowerCase()).not.toMatch(/risk|credit|score/);
      expect(text).not.toMatch(/"sales"|\bsales\b|shop|C-BIG|Big Customer/); // no reviewer, submitter or customer record
    }

    // The customer fixes the price; the order is reviewed again and approved; the page follows.
    const { orderId: _id, ...amendment } = body;
    const fixed = { ...amendment, lines: [{ sku: 'BOX-1', quantity: 100, unitPrice: '12.50' }], declaredTotal: '1250.00' };
    expect((await call('POST', `/v1/orders/${id}/amendments`, 'shop', fixed)).statusCode).toBe(200);
    await until(id, (o) => o.status === 'approved');
    const approved = (await call('GET', `/v1/track/${token}`)).json();
    expect(approved.status).toBe('approved');
    expect(approved.plannedCompletionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(approved.stages.find((s: { key: string }) => s.key === 'needs_changes')).toMatchObject({ done: true });
    expect(approved.stages.find((s: { key: string }) => s.key === 'needs_changes').note).toBeUndefined();

    expect((await call('DELETE', `/v1/orders/${id}/tracking-link`, 'shop')).statusCode).toBe(204);
    expect((await call('GET', `/v1/track/${token}`)).statusCode).toBe(404);
    expect((await call('GET', `/track/${token}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/orders/${id}/tracking-link`, 'shop')).statusCode).toBe(404);
  });

  it('only the submitter makes a link; unknown tokens are 404 and say nothing', async () => {
    const body = cleanOrder();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    expect((await call('POST', `/v1/orders/${id}/tracking-link`, 'partner')).statusCode).toBe(404);
    expect((await call('POST', `/v1/orders/${id}/tracking-link`, 'finance')).statusCode).toBe(403);
    expect((await call('POST', `/v1/orders/${id}/tracking-link`)).statusCode).toBe(401);
    for (const bad of ['x'.repeat(43), 'short', '..%2F..%2Fetc']) {
      const res = await call('GET', `/v1/track/${bad}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toBe('no such tracking link');
    }
  });
});
