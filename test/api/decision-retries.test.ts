/**
 * Retries and refusals around the decision that ends an order (contract section 4 and 5): a retry with the same
 * Idempotency-Key answers with the first result even after the order ended, and writes no refusal into the audit;
 * every refused attempt shows in the audit, however close together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

describe('decision retries and refusals', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: TestWorker;

  beforeAll(async () => {
    t = await connectTestClient();
    const taskQueue = uniqueTaskQueue('decision-retries');
    ctx = await createTestApp({ temporal: t.client, taskQueue, rateLimit: { max: 10_000 } });
    worker = await startTestWorker({ taskQueue, activities: createActivities(ctx.db), connection: t.connection });
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  const get = (url: string, as: TestPrincipalId) => ctx.app.inject({ method: 'GET', url, headers: ctx.auth(as) });
  const decide = (id: string, step: string, as: TestPrincipalId, body: object, key?: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/v1/orders/${id}/steps/${step}/decision`,
      headers: { ...ctx.auth(as), ...(key ? { 'idempotency-key': key } : {}) },
      payload: body,
    });
  const audit = async (id: string) =>
    (await get(`/v1/orders/${id}/audit`, 'auditor')).json<{ events: { type: string; step: string | null; actor: string }[] }>().events;

  /** An order over C-SMALL's limit, waiting for finance. */
  async function awaitingCredit(): Promise<string> {
    const body = cleanOrder({ customerId: 'C-SMALL' });
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: ctx.auth('shop'), payload: body })).statusCode).toBe(201);
    const id = body.orderId as string;
    await expect.poll(async () => (await get(`/v1/orders/${id}`, 'auditor')).json().awaiting, { timeout: 20_000 }).toEqual(['credit']);
    return id;
  }

  it('a retried reject answers with the first result, not 409, and adds no refusal', async () => {
    const id = await awaitingCredit();
    const key = `reject-${id}`;
    const first = await decide(id, 'credit', 'finance', { decision: 'reject', comment: 'over the limit' }, key);
    expect(first.statusCode).toBe(200);
    expect(first.json().status).toBe('rejected');
    const retry = await decide(id, 'credit', 'finance', { decision: 'reject', comment: 'over the limit' }, key);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect((await audit(id)).filter((e) => e.type === 'decision_refused')).toEqual([]);
    // Another key is another attempt: refused, and recorded.
    expect((await decide(id, 'credit', 'finance', { decision: 'reject', comment: 'again' }, `other-${id}`)).statusCode).toBe(409);
    expect((await audit(id)).filter((e) => e.type === 'decision_refused')).toHaveLength(1);
  });

  it('a retried final approval answers with the approved order', async () => {
    const id = await awaitingCredit();
    expect((await decide(id, 'credit', 'finance', { decision: 'approve' })).statusCode).toBe(200);
    await expect.poll(async () => (await get(`/v1/orders/${id}`, 'auditor')).json().awaiting, { timeout: 20_000 }).toEqual(['final_approval']);
    const key = `final-${id}`;
    const first = await decide(id, 'final_approval', 'management', { decision: 'approve', comment: 'fine' }, key);
    expect(first.statusCode).toBe(200);
    expect(first.json().status).toBe('approved');
    const retry = await decide(id, 'final_approval', 'management', { decision: 'approve', comment: 'fine' }, key);
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect((await audit(id)).filter((e) => e.type === 'decision_refused')).toEqual([]);
  });

  it('two refusals of one actor on one step seconds apart both show in the audit', async () => {
    const id = await awaitingCredit();
    const a = await decide(id, 'credit', 'production', { decision: 'approve' });
    const b = await decide(id, 'credit', 'production', { decision: 'approve' });
    expect([a.statusCode, b.statusCode]).toEqual([403, 403]);
    const refused = (await audit(id)).filter((e) => e.type === 'decision_refused');
    expect(refused).toEqual([
      expect.objectContaining({ step: 'credit', actor: 'production' }),
      expect.objectContaining({ step: 'credit', actor: 'production' }),
    ]);
  });
});
