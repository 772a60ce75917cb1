/**
 * Approvers' tools through HTTP with a real worker (contract section 12): claim, release and hand over a waiting step,
 * delegation while away (the decision shows both people), bulk decisions item by item, and the inbox's reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, createTestApp, type TestApp, type TestPrincipalId } from '../helpers/app';
import { startReviewWorker } from '../helpers/review-worker';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';

describe("approvers' tools", () => {
  let t: TestClient;
  let ctx: TestApp;
  let worker: { stop(): Promise<void> };

  beforeAll(async () => {
    t = await connectTestClient();
    ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('approvers'), rateLimit: { max: 100_000 } });
    worker = await startReviewWorker(ctx, t);
  });
  afterAll(async () => {
    await worker?.stop();
    await ctx?.close();
    await t?.connection.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, as: TestPrincipalId, payload?: object) =>
    ctx.app.inject({ method, url, headers: ctx.auth(as), ...(payload ? { payload } : {}) });
  const decide = (id: string, as: TestPrincipalId, step = 'credit') => call('POST', `/v1/orders/${id}/steps/${step}/decision`, as, { decision: 'approve', comment: 'fine' });
  const inboxItem = async (as: TestPrincipalId, id: string) =>
    ((await call('GET', '/v1/inbox?limit=200', as)).json().items as { orderId: string; claimedBy: string | null }[]).find((i) => i.orderId === id);

  /** An order over C-SMALL's limit, waiting for finance. */
  async function awaitingCredit(): Promise<string> {
    const body = cleanOrder({ customerId: 'C-SMALL' });
    expect((await call('POST', '/v1/orders', 'shop', body)).statusCode).toBe(201);
    const id = body.orderId as string;
    await expect.poll(async () => (await call('GET', `/v1/orders/${id}`, 'auditor')).json().awaiting, { timeout: 20_000 }).toEqual(['credit']);
    return id;
  }

  it('a claim keeps colleagues from deciding until it is released', async () => {
    const id = await awaitingCredit();
    const claimed = await call('POST', `/v1/orders/${id}/steps/credit/claim`, 'finance');
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(claimed.json().steps.find((s: { step: string }) => s.step === 'credit')).toMatchObject({ claimedBy: 'finance' });
    expect(await inboxItem('finance2', id)).toMatchObject({ claimedBy: 'finance' });

    const blocked = await decide(id, 'finance2');
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toMatch(/claimed by finance/);
    expect((await call('POST', `/v1/orders/${id}/steps/credit/claim`, 'finance2')).statusCode).toBe(409);
    expect((await call('POST', `/v1/orders/${id}/steps/credit/unclaim`, 'finance2')).statusCode).toBe(403);
    expect((await call('POST', `/v1/orders/${id}/steps/credit/claim`, 'production')).statusCode).toBe(403);
    expect((await call('POST', `/v1/orders/${id}/steps/final_approval/claim`, 'management')).statusCode).toBe(409);

    expect((await call('POST', `/v1/orders/${id}/steps/credit/unclaim`, 'finance')).statusCode).toBe(200);
    expect(await inboxItem('finance2', id)).toMatchObject({ claimedBy: null });
    expect((await decide(id, 'finance2')).statusCode).toBe(200);
    const audit = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).json().events.map((e: { type: string; actor: string }) => `${e.type} ${e.actor}`);
    expect(audit).toEqual(expect.arrayContaining(['step_claimed finance', 'step_unclaimed finance', 'decision finance2', 'decision_refused finance2']));
  });

  it('the claimer hands the step to a colleague of the same department, and only to one', async () => {
    const id = await awaitingCredit();
    expect((await call('POST', `/v1/orders/${id}/steps/credit/assign`, 'finance', { principalId: 'finance2' })).statusCode).toBe(403); // not claimed by it yet
    expect((await call('POST', `/v1/orders/${id}/steps/credit/claim`, 'finance')).statusCode).toBe(200);
    expect((await call('POST', `/v1/orders/${id}/steps/credit/assign`, 'finance', { principalId: 'production' })).statusCode).toBe(403);
    const unknown = await call('POST', `/v1/orders/${id}/steps/credit/assign`, 'finance', { principalId: 'nobody-here' });
    expect(unknown.statusCode).toBe(422);
    const handed = await call('POST', `/v1/orders/${id}/steps/credit/assign`, 'finance', { principalId: 'finance2' });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(await inboxItem('finance', id)).toMatchObject({ claimedBy: 'finance2' });
    expect((await decide(id, 'finance')).statusCode).toBe(409);
    expect((await decide(id, 'finance2')).statusCode).toBe(200);
  });

  it('a delegate sees and decides the away colleague’s steps; the decision and the audit show both', async () => {
    const id = await awaitingCredit();
    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect((await call('PUT', '/v1/me/delegation', 'finance2', { to: 'finance2', until })).statusCode).toBe(400);
    expect((await call('PUT', '/v1/me/delegation', 'finance2', { to: 'shop', until })).statusCode).toBe(422);
    expect((await call('PUT', '/v1/me/delegation', 'finance2', { to: 'production', until: new Date(Date.now() - 1000).toISOString() })).statusCode).toBe(400);
    expect(await inboxItem('production', id)).toBeUndefined();
    expect((await decide(id, 'production')).statusCode).toBe(403);

    const set = await call('PUT', '/v1/me/delegation', 'finance2', { to: 'production', until });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ from: 'finance2', fromName: 'finance2', to: 'production', toName: 'production', departments: ['finance'] });
    expect((await call('GET', '/v1/me', 'production')).json().delegations).toEqual([
      expect.objectContaining({ from: 'finance2', fromName: 'finance2', to: 'production', toName: 'production' }),
    ]);
    expect(await inboxItem('production', id)).toBeDefined();

    const decided = await decide(id, 'production');
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().steps.find((s: { step: string }) => s.step === 'credit').decision).toMatchObject({ by: 'production', onBehalfOf: 'finance2' });
    const audit = (await call('GET', `/v1/orders/${id}/audit`, 'auditor')).json().events;
    expect(audit).toContainEqual(expect.objectContaining({ type: 'decision', actor: 'production', detail: expect.objectContaining({ onBehalfOf: 'finance2' }) }));

    expect((await call('DELETE', '/v1/me/delegation', 'finance2')).statusCode).toBe(204);
    expect((await call('DELETE', '/v1/me/delegation', 'finance2')).statusCode).toBe(404);
    const next = await awaitingCredit();
    expect(await inboxItem('production', next)).toBeUndefined();
    expect((await decide(next, 'production')).statusCode).toBe(403);
  });

  it('bulk decisions: each item decided or refused on its own, with the status it would have had alone', async () => {
    const ids = [await awaitingCredit(), await awaitingCredit(), await awaitingCredit()];
    const res = await call('POST', '/v1/decisions', 'finance', {
      items: [
        ...ids.map((orderId) => ({ orderId, step: 'credit', decision: 'approve', comment: 'batch ok' })),
        { orderId: 'NO-SUCH-ORDER', step: 'credit', decision: 'approve' },
        { orderId: ids[0], step: 'capacity', decision: 'approve' },
        { orderId: ids[1], step: 'credit', decision: 'approve' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().results as { orderId: string; status: number; order?: { awaiting: string[] }; problem?: { detail: string } }[];
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 404, 403, 409]);
    for (const r of results.slice(0, 3)) expect(r.order?.awaiting).toEqual(['final_approval']);
    expect(results[5]!.problem?.detail).toMatch(/already decided/);
    expect((await call('POST', '/v1/decisions', 'finance', { items: [] })).statusCode).toBe(400);
    expect((await call('POST', '/v1/decisions', 'finance', { items: [{ orderId: ids[0], step: 'credit', decision: 'reject' }] })).statusCode).toBe(400);
  });

  it("inbox items say who the customer is, why the step waits and why it ranks where it does", async () => {
    const id = await awaitingCredit();
    const item = (await call('GET', '/v1/inbox?limit=200', 'finance')).json().items.find((i: { orderId: string }) => i.orderId === id);
    expect(item).toMatchObject({
      customerId: 'C-SMALL',
      customerName: 'Small Customer',
      currency: 'CNY',
      total: '1250.00',
      findings: [expect.objectContaining({ code: 'CREDIT_LIMIT_EXCEEDED' })],
      priorityReasons: ['VIP customer', expect.stringMatching(/^due in \d+ h$/)],
    });
  });

  it('colleagues: the active approvers of my departments, for handing over and delegating; scoped to them', async () => {
    const ids = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((c) => c.id).sort();
    const finance = await call('GET', '/v1/me/colleagues', 'finance');
    expect(finance.statusCode, finance.body).toBe(200);
    expect(finance.json().items).toEqual([{ id: 'finance2', name: expect.any(String), departments: ['finance'] }]);
    expect(ids(await call('GET', '/v1/me/colleagues?department=finance', 'finance2'))).toEqual(['finance']);
    // Another department's people are not an approver's business; management hands over escalated steps of any.
    expect((await call('GET', '/v1/me/colleagues?department=production', 'finance')).statusCode).toBe(403);
    expect(ids(await call('GET', '/v1/me/colleagues?department=finance', 'management'))).toEqual(['finance', 'finance2']);
    expect(ids(await call('GET', '/v1/me/colleagues', 'management'))).toEqual(['management2']);
    expect((await call('GET', '/v1/me/colleagues?department=nope', 'finance')).statusCode).toBe(400);
    expect((await call('GET', '/v1/me/colleagues', 'shop')).statusCode).toBe(403);
    expect((await call('GET', '/v1/me/colleagues', 'auditor')).statusCode).toBe(403);
    // A delegate also sees the people of the department delegated to it, while the delegation lasts.
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await call('PUT', '/v1/me/delegation', 'finance2', { to: 'procurement', until })).statusCode).toBe(200);
    expect(ids(await call('GET', '/v1/me/colleagues?department=finance', 'procurement'))).toEqual(['finance', 'finance2']);
    expect((await call('DELETE', '/v1/me/delegation', 'finance2')).statusCode).toBe(204);
    expect((await call('GET', '/v1/me/colleagues?department=finance', 'procurement')).statusCode).toBe(403);
    // A delegate of a management approver hands over escalated steps of any department, so it may ask for any.
    expect((await call('PUT', '/v1/me/delegation', 'management2', { to: 'procurement', until })).statusCode).toBe(200);
    expect(ids(await call('GET', '/v1/me/colleagues?department=finance', 'procurement'))).toEqual(['finance', 'finance2']);
    expect((await call('DELETE', '/v1/me/delegation', 'management2')).statusCode).toBe(204);
    expect((await call('GET', '/v1/me/colleagues?department=finance', 'procurement')).statusCode).toBe(403);
  });
});
