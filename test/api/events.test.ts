/**
 * The event log through GET /v1/events, with a real worker reviewing orders while the feed is read: paging loses
 * and repeats nothing, every order's events arrive in seq order, and an integrator sees only its own orders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

interface Ev {
  id: string;
  seq: number;
  type: string;
  orderId: string | null;
  actor: string;
  step: string | null;
  data: Record<string, unknown>;
}

describe('event feed', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: TestWorker;

  beforeAll(async () => {
    t = await connectTestClient();
    const taskQueue = uniqueTaskQueue('events');
    ctx = await createTestApp({ temporal: t.client, taskQueue, rateLimit: { max: 100_000 } });
    worker = await startTestWorker({ taskQueue, activities: createActivities(ctx.db), connection: t.connection });
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  const get = (url: string, as: TestPrincipalId) => ctx.app.inject({ method: 'GET', url, headers: ctx.auth(as) });
  const submit = (body: object, as: TestPrincipalId) => ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: ctx.auth(as), payload: body });

  /** Reads the feed from `cursor` until it has nothing more, in pages of `limit`. */
  async function drain(as: TestPrincipalId, cursor: string | null, limit: number, query = ''): Promise<{ events: Ev[]; cursor: string | null }> {
    const events: Ev[] = [];
    for (;;) {
      const res = await get(`/v1/events?limit=${limit}${query}${cursor ? `&after=${cursor}` : ''}`, as);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json<{ items: Ev[]; nextCursor: string | null; hasMore: boolean }>();
      events.push(...page.items);
      cursor = page.nextCursor;
      if (!page.hasMore) return { events, cursor };
    }
  }

  it('pages with no gap or duplicate while orders run, each order in seq order, ending with its outcome', async () => {
    const shopOrders = Array.from({ length: 6 }, (_, i) => cleanOrder(i % 2 ? { customerId: 'C-SMALL' } : {}));
    const partnerOrders = Array.from({ length: 3 }, () => cleanOrder());
    const submitting = Promise.all([
      ...shopOrders.map((b) => submit(b, 'shop')),
      ...partnerOrders.map((b) => submit(b, 'partner')),
    ]);

    // Read the feed in small pages while the reviews run, then on until every order has ended or waits.
    const seen: Ev[] = [];
    let cursor: string | null = null;
    const mine = new Set([...shopOrders, ...partnerOrders].map((b) => b.orderId as string));
    const settled = (evs: Ev[]) =>
      [...mine].every((id) => evs.some((e) => e.orderId === id && (e.type === 'order.approved' || e.type === 'order.step_awaiting')));
    const deadline = Date.now() + 30_000;
    while (!settled(seen)) {
      if (Date.now() > deadline) throw new Error('the orders did not settle in the feed');
      const page = await drain('auditor', cursor, 3);
      seen.push(...page.events);
      cursor = page.cursor;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await submitting).map((r) => r.statusCode)).toEqual(Array(9).fill(201));

    // The same log read in one go: what the small pages delivered, in the same order.
    const whole = (await drain('auditor', null, 500)).events;
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(whole.map((e) => e.id).slice(0, ids.length)).toEqual(ids);

    for (const id of mine) {
      const ofOrder = whole.filter((e) => e.orderId === id);
      expect(ofOrder.map((e) => e.seq)).toEqual(ofOrder.map((_, i) => i + 1));
      expect(ofOrder[0]).toMatchObject({ type: 'order.submitted', step: 'intake' });
    }
    const clean = shopOrders[0]!.orderId as string;
    expect(whole.filter((e) => e.orderId === clean).map((e) => `${e.type} ${e.step ?? ''}`.trim())).toEqual([
      'order.submitted intake',
      'order.check_completed info_check',
      // The steps of the second stage run side by side: the one with no check to run (skipped) ends first.
      'order.check_completed special_requirements',
      'order.check_completed credit',
      'order.check_completed capacity',
      'order.holds_reserved capacity',
      'order.check_completed materials',
      'order.holds_reserved materials',
      'order.check_completed final_approval',
      'order.approved final_approval',
    ]);
    const waiting = whole.filter((e) => e.orderId === shopOrders[1]!.orderId && e.type === 'order.step_awaiting');
    expect(waiting).toEqual([expect.objectContaining({ step: 'credit', data: expect.objectContaining({ department: 'finance' }) })]);
  });

  it('an integrator sees only its own orders, never refusals; types and orderId filter', async () => {
    const shop = cleanOrder({ customerId: 'C-SMALL' });
    const partner = cleanOrder({ customerId: 'C-SMALL' });
    await submit(shop, 'shop');
    await submit(partner, 'partner');
    const shopId = shop.orderId as string;
    await expect
      .poll(async () => (await get(`/v1/orders/${shopId}`, 'auditor')).json().awaiting, { timeout: 20_000 })
      .toEqual(['credit']);
    const refused = await ctx.app.inject({
      method: 'POST', url: `/v1/orders/${shopId}/steps/credit/decision`, headers: ctx.auth('production'), payload: { decision: 'approve' },
    });
    expect(refused.statusCode).toBe(403);

    const asShop = (await drain('shop', null, 200)).events;
    expect(asShop.length).toBeGreaterThan(0);
    expect(asShop.map((e) => e.orderId)).not.toContain(partner.orderId);
    expect(asShop.filter((e) => e.type === 'order.decision_refused')).toEqual([]);
    expect((await drain('shop', null, 50, `&orderId=${partner.orderId as string}`)).events).toEqual([]);

    const asAuditor = (await drain('auditor', null, 200, `&orderId=${shopId}`)).events;
    expect(asAuditor.map((e) => e.type)).toContain('order.decision_refused');
    const onlyAwaiting = (await drain('admin', null, 200, `&orderId=${shopId}&types=order.step_awaiting,order.submitted`)).events;
    expect(onlyAwaiting.map((e) => e.type)).toEqual(['order.submitted', 'order.step_awaiting']);

    expect((await get('/v1/events?types=order.nonsense', 'admin')).statusCode).toBe(400);
    expect((await get('/v1/events?after=garbage', 'admin')).statusCode).toBe(400);
    expect((await get('/v1/events', 'finance')).statusCode).toBe(403);
  });
});
