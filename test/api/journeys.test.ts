/**
 * HTTP journeys through the real API, a real worker and the run's Temporal server: what an integrator and the
 * department approvers would do, with real fetch against a listening app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { orderEventsOf } from '../../db/events';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

describe('HTTP journeys', () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: TestWorker;
  let base: string;

  beforeAll(async () => {
    t = await connectTestClient();
    const taskQueue = uniqueTaskQueue('api-journeys');
    ctx = await createTestApp({ temporal: t.client, taskQueue });
    worker = await startTestWorker({ taskQueue, activities: createActivities(ctx.db), connection: t.connection });
    base = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await ctx?.app.close();
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  async function call(method: string, path: string, as: TestPrincipalId, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.tokens[as]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  const order = (id: string) => call('GET', `/v1/orders/${id}`, 'auditor');
  const decide = (id: string, step: string, as: TestPrincipalId, decision = 'approve', comment?: string, headers?: Record<string, string>) =>
    call('POST', `/v1/orders/${id}/steps/${step}/decision`, as, { decision, ...(comment ? { comment } : {}) }, headers);

  /** Polls the order until `predicate` holds (the workflow writes the read model through activities). */
  async function waitFor(id: string, predicate: (o: Answer['body']) => boolean, what: string) {
    const deadline = Date.now() + 20_000;
    let last: Answer['body'];
    while (Date.now() < deadline) {
      last = (await order(id)).body;
      if (last && predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
  }

  /** An order for C-SMALL (credit limit 1000.00): 1250.00 exceeds it, so finance must decide credit. */
  const overLimit = () => cleanOrder({ customerId: 'C-SMALL' });

  it('a clean order is approved with no human step', async () => {
    const body = cleanOrder();
    const submitted = await call('POST', '/v1/orders', 'shop', body);
    expect(submitted.status).toBe(201);
    const done = await waitFor(body.orderId as string, (o) => o.status === 'approved', 'approval');
    expect(done.awaiting).toEqual([]);
    expect(done.outcome).toMatchObject({ status: 'approved', step: 'final_approval' });
    expect(done.completedAt).toEqual(expect.any(String));
    for (const s of done.steps) {
      expect(['auto_approved', 'skipped'], `${s.step} ${s.status}`).toContain(s.status);
      expect(s.decision).toBeNull();
    }
    // The materials step reserved 100 boxes × 2 kraft sheets.
    const kraft = await call('GET', '/v1/materials/M-KRAFT', 'admin');
    expect(kraft.body.reserved).toBeGreaterThanOrEqual(200);
  });

  it('over the credit limit: finance approves credit, management approves final, approved', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    expect((await call('POST', '/v1/orders', 'shop', body)).status).toBe(201);
    const waiting = await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    expect(waiting.awaiting).toEqual(['credit']);
    const credit = waiting.steps.find((s: { step: string }) => s.step === 'credit');
    expect(credit.findings.map((f: { code: string }) => f.code)).toContain('CREDIT_LIMIT_EXCEEDED');

    const inbox = await call('GET', '/v1/inbox', 'finance');
    expect(inbox.body.items).toContainEqual(expect.objectContaining({ orderId: id, step: 'credit', department: 'finance', total: '1250.00' }));
    expect((await call('GET', '/v1/inbox', 'production')).body.items.map((i: { orderId: string }) => i.orderId)).not.toContain(id);

    // Wrong department: 403, and the attempt is recorded.
    const wrong = await decide(id, 'credit', 'production');
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(wrong.body.detail).toMatch(/finance/);
    // Not awaiting: final approval has not been reached yet.
    const early = await decide(id, 'final_approval', 'management');
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/not been reached/);
    const refused = orderEventsOf(ctx.db, id).filter((e) => e.type === 'order.decision_refused');
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'production', step: 'credit', data: expect.objectContaining({ status: 403, reason: wrong.body.detail }) }),
        expect.objectContaining({ actor: 'management', step: 'final_approval', data: expect.objectContaining({ status: 409, reason: early.body.detail }) }),
      ]),
    );

    const approved = await decide(id, 'credit', 'finance', 'approve', 'known customer, limit raise pending');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const creditStep = approved.body.steps.find((s: { step: string }) => s.step === 'credit');
    expect(creditStep).toMatchObject({ status: 'approved', decision: { decision: 'approve', by: 'finance', comment: 'known customer, limit raise pending' } });
    expect(approved.body).not.toHaveProperty('version');

    const finalWaiting = await waitFor(id, (o) => o.awaiting.includes('final_approval'), 'final approval to await management');
    expect(finalWaiting.status).toBe('in_review');
    // Already decided: 409 that says so.
    const twice = await decide(id, 'credit', 'finance2');
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toMatch(/already decided/);

    const final = await decide(id, 'final_approval', 'management');
    expect(final.status).toBe(200);
    const done = await waitFor(id, (o) => o.status === 'approved', 'approval');
    expect(done.outcome).toMatchObject({ status: 'approved', step: 'final_approval' });
    const listed = await call('GET', '/v1/orders?status=approved&customerId=C-SMALL', 'shop');
    expect(listed.body.items.map((i: { orderId: string }) => i.orderId)).toContain(id);
  });

  it('an Idempotency-Key retry answers with the first result and decides once', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    const key = { 'idempotency-key': `k-${id}` };
    const first = await decide(id, 'credit', 'finance', 'approve', 'ok', key);
    expect(first.status).toBe(200);
    const retry = await decide(id, 'credit', 'finance', 'approve', 'ok', key);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    // Without the key the same call is a second attempt, and the step is no longer awaiting.
    const fresh = await decide(id, 'credit', 'finance', 'approve', 'ok');
    expect(fresh.status).toBe(409);
  });

  it('two approvers racing on one step: exactly one wins', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    const answers = await Promise.all([decide(id, 'credit', 'finance'), decide(id, 'credit', 'finance2', 'reject', 'too risky')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.body.detail).toMatch(/credit/);
    const credit = winner.body.steps.find((s: { step: string }) => s.step === 'credit');
    expect(credit.decision.by).toBe(answers[0]!.status === 200 ? 'finance' : 'finance2');
  });

  it('resubmitting: same body 200, different body 409', async () => {
    const body = cleanOrder();
    expect((await call('POST', '/v1/orders', 'shop', body)).status).toBe(201);
    const again = await call('POST', '/v1/orders', 'shop', body);
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(body.orderId);
    const changed = await call('POST', '/v1/orders', 'shop', { ...body, notes: 'changed my mind' });
    expect(changed.status).toBe(409);
    expect(changed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('reject ends the order; later decisions get 409 "order is rejected"', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    const rejected = await decide(id, 'credit', 'finance', 'reject', 'over the limit');
    expect(rejected.status).toBe(200);
    const done = await waitFor(id, (o) => o.status === 'rejected', 'rejection');
    expect(done.outcome).toMatchObject({ status: 'rejected', step: 'credit' });
    const late = await decide(id, 'credit', 'finance2');
    expect(late.status).toBe(409);
    expect(late.body.detail).toBe('order is rejected');
  });

  it('request changes, amend to a clean order, approved; cancel after the end is 409', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    expect((await decide(id, 'credit', 'finance', 'request_changes', 'please reduce the quantity')).status).toBe(200);
    await waitFor(id, (o) => o.status === 'changes_requested', 'changes requested');

    const { orderId: _omit, ...amendment } = body;
    // Other open orders of C-SMALL count towards its exposure, so the amendment moves the order to C-BIG.
    const smaller = { ...amendment, customerId: 'C-BIG', lines: [{ sku: 'BOX-1', quantity: 10, unitPrice: '12.50' }], declaredTotal: '125.00' };
    expect((await call('POST', `/v1/orders/${id}/amendments`, 'partner', smaller)).status).toBe(404);
    const amended = await call('POST', `/v1/orders/${id}/amendments`, 'shop', smaller);
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    expect(amended.body.revision).toBe(2);
    const done = await waitFor(id, (o) => o.status === 'approved', 'approval of revision 2');
    expect(done.order.total).toBe('125.00');

    const cancel = await call('POST', `/v1/orders/${id}/cancel`, 'shop', { reason: 'too late' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.detail).toBe('order is approved');
  });

  it('cancel by the submitter ends the order cancelled', async () => {
    const body = overLimit();
    const id = body.orderId as string;
    await call('POST', '/v1/orders', 'shop', body);
    await waitFor(id, (o) => o.awaiting.includes('credit'), 'credit to await finance');
    const cancelled = await call('POST', `/v1/orders/${id}/cancel`, 'shop', { reason: 'customer withdrew' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call('GET', '/v1/inbox', 'finance')).body.items.map((i: { orderId: string }) => i.orderId)).not.toContain(id);
  });
});
