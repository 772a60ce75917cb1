/**
 * Webhooks end to end: subscriptions over HTTP, the relay workflow on a real worker, real POSTs to a receiver on
 * loopback that verifies each delivery with the `standardwebhooks` library.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { FAST_RELAYS, startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';

interface Ev {
  id: string;
  seq: number;
  type: string;
  orderId: string | null;
}

describe('webhooks', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({
      temporal: t.client,
      taskQueue: uniqueTaskQueue('webhooks'),
      rateLimit: { max: 100_000 },
      // The API starts a subscription's relay: it must use the same timings as the worker's wake-ups.
      relays: { options: FAST_RELAYS },
      env: { WEBHOOK_ALLOW_PRIVATE: 'true' },
    });
    worker = await startReviewWorker(ctx, t);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await t?.connection.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, as: TestPrincipalId, payload?: object) =>
    ctx.app.inject({ method, url, headers: ctx.auth(as), ...(payload ? { payload } : {}) });

  async function subscribe(as: TestPrincipalId, types: string[] = []): Promise<{ id: string; receiver: Receiver }> {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const res = await call('POST', '/v1/webhooks', as, { url: receiver.url, types, description: 'test receiver' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.secret).toMatch(/^whsec_/);
    receiver.setSecret(body.secret);
    return { id: body.id, receiver };
  }

  async function submit(as: TestPrincipalId, overrides: Record<string, unknown> = {}): Promise<string> {
    const body = cleanOrder(overrides);
    expect((await call('POST', '/v1/orders', as, body)).statusCode).toBe(201);
    return body.orderId as string;
  }

  const feedOf = async (orderId: string): Promise<Ev[]> => (await call('GET', `/v1/events?orderId=${orderId}&limit=500`, 'admin')).json().items;
  const untilState = (orderId: string, pred: (o: { awaiting: string[]; status: string }) => boolean) =>
    expect.poll(async () => pred((await call('GET', `/v1/orders/${orderId}`, 'auditor')).json()), { timeout: 20_000 }).toBe(true);

  it('a receiver gets every event of a journey, in order, each signature verified', async () => {
    const { receiver } = await subscribe('admin');
    const id = await submit('shop', { customerId: 'C-SMALL' });
    await untilState(id, (o) => o.awaiting.includes('credit'));
    expect((await call('POST', `/v1/orders/${id}/steps/credit/decision`, 'finance', { decision: 'approve', comment: 'ok' })).statusCode).toBe(200);
    await untilState(id, (o) => o.awaiting.includes('final_approval'));
    expect((await call('POST', `/v1/orders/${id}/steps/final_approval/decision`, 'management', { decision: 'approve' })).statusCode).toBe(200);

    const feed = await feedOf(id);
    expect(feed.at(-1)?.type).toBe('order.approved');
    await expect.poll(() => receiver.delivered().filter((r) => r.body.data.orderId === id).length, { timeout: 20_000 }).toBe(feed.length);
    const got = receiver.delivered().filter((r) => r.body.data.orderId === id);
    expect(got.map((r) => r.webhookId)).toEqual(feed.map((e) => e.id));
    expect(got.map((r) => r.body.data.seq)).toEqual(feed.map((e) => e.seq));
    expect(got.every((r) => r.verified)).toBe(true);
    expect(got.map((r) => r.body.type)).toEqual(expect.arrayContaining(['order.submitted', 'order.step_awaiting', 'order.step_decided', 'order.approved']));
    // A delivery signed with another secret does not verify: the receiver's check is real.
    receiver.setSecret(`whsec_${Buffer.from('another secret of 24 bytes!').toString('base64')}`);
    const other = await submit('shop');
    await expect.poll(() => receiver.requests.filter((r) => r.body.data.orderId === other).length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(receiver.requests.filter((r) => r.body.data.orderId === other).every((r) => !r.verified)).toBe(true);
  });

  it('a receiver down (500) for a while gets every event once it is back, with the same webhook-id', async () => {
    const { id: hook, receiver } = await subscribe('admin', ['order.submitted', 'order.check_completed', 'order.approved']);
    receiver.behave({ status: 500 });
    const id = await submit('shop');
    await untilState(id, (o) => o.status === 'approved');
    await expect.poll(() => receiver.requests.filter((r) => r.body.data.orderId === id).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const failedIds = new Set(receiver.requests.filter((r) => r.body.data.orderId === id).map((r) => r.webhookId));
    // Only the order's first event is tried while it fails: the later ones wait behind it, in order.
    const [first] = await feedOf(id);
    expect([...failedIds]).toEqual([first!.id]);

    receiver.behave({ status: 204 });
    const wanted = (await feedOf(id)).filter((e) => ['order.submitted', 'order.check_completed', 'order.approved'].includes(e.type));
    await expect.poll(() => receiver.delivered().filter((r) => r.body.data.orderId === id).length, { timeout: 20_000 }).toBe(wanted.length);
    expect(receiver.delivered().filter((r) => r.body.data.orderId === id).map((r) => r.webhookId)).toEqual(wanted.map((e) => e.id));

    const log = (await call('GET', `/v1/webhooks/${hook}/deliveries?eventId=${first!.id}`, 'admin')).json().items;
    expect(log[0]).toMatchObject({ eventId: first!.id, status: 'delivered', httpStatus: 204 });
    expect(log.slice(1).every((d: { status: string; httpStatus: number }) => d.status === 'failed' && d.httpStatus === 500)).toBe(true);
    expect(log.map((d: { attempt: number }) => d.attempt)).toEqual(log.map((_: unknown, i: number) => log.length - i));

    // Manual redelivery: the same event again, same webhook-id, a new attempt in the log.
    const before = receiver.delivered().length;
    const retry = await call('POST', `/v1/webhooks/${hook}/deliveries/${first!.id}/retry`, 'admin');
    expect(retry.statusCode, retry.body).toBe(202);
    await expect.poll(() => receiver.delivered().length, { timeout: 20_000 }).toBe(before + 1);
    expect(receiver.delivered().at(-1)?.webhookId).toBe(first!.id);
  });

  it("an integrator's subscription carries only its own orders; others' subscriptions are not its to see", async () => {
    const { id: hook, receiver } = await subscribe('shop');
    const theirs = await submit('partner');
    const mine = await submit('shop');
    await untilState(mine, (o) => o.status === 'approved');
    await untilState(theirs, (o) => o.status === 'approved');
    await expect.poll(() => receiver.delivered().some((r) => r.body.type === 'order.approved' && r.body.data.orderId === mine), { timeout: 20_000 }).toBe(true);
    expect(receiver.requests.map((r) => r.body.data.orderId)).not.toContain(theirs);

    expect((await call('GET', `/v1/webhooks/${hook}`, 'partner')).statusCode).toBe(404);
    expect((await call('GET', `/v1/webhooks/${hook}/deliveries`, 'partner')).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${hook}`, 'partner')).statusCode).toBe(404);
    expect((await call('GET', '/v1/webhooks', 'partner')).json().items.map((w: { id: string }) => w.id)).not.toContain(hook);
    const [theirEvent] = await feedOf(theirs);
    expect((await call('POST', `/v1/webhooks/${hook}/deliveries/${theirEvent!.id}/retry`, 'shop')).statusCode).toBe(404);
    const internal = await call('POST', '/v1/webhooks', 'shop', { url: receiver.url, types: ['order.decision_refused'] });
    expect(internal.statusCode).toBe(400);

    // The secret is shown once: never in a list or a read.
    const listed = await call('GET', '/v1/webhooks', 'shop');
    expect(listed.body).not.toMatch(/whsec_/);
    expect((await call('DELETE', `/v1/webhooks/${hook}`, 'shop')).statusCode).toBe(204);
    expect((await call('GET', `/v1/webhooks/${hook}`, 'shop')).statusCode).toBe(404);
  });
});

describe('webhook URLs without WEBHOOK_ALLOW_PRIVATE', () => {
  let t: TestClient;
  let ctx: TestApp;
  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client });
  });
  afterAll(async () => {
    await ctx?.close();
    await t?.connection.close();
  });

  it.each([
    ['http://127.0.0.1:9/hook', /only https/],
    ['https://127.0.0.1/hook', /private|loopback/],
    ['https://10.1.2.3/hook', /private/],
    ['https://[::1]/hook', /private|loopback/],
    ['https://[::ffff:192.168.0.1]/hook', /private/],
    ['https://169.254.169.254/latest/meta-data', /link-local|private/],
    ['http://93.184.216.34/hook', /only https/],
    ['ftp://93.184.216.34/hook', /only https/],
    ['https://user:pw@93.184.216.34/hook', /credentials/],
  ])('refuses %s with a field error, and stores nothing', async (url, reason) => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: ctx.auth('admin'), payload: { url } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'url', message: expect.stringMatching(reason) }]);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: ctx.auth('admin') })).json().items).toEqual([]);
  });

  it('accepts a public https URL', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: ctx.auth('admin'), payload: { url: 'https://93.184.216.34/hook' } });
    expect(res.statusCode, res.body).toBe(201);
  });
});
