/**
 * Orders through the API without a worker: intake (idempotency, workflow start, crash recovery), visibility,
 * lists and the inbox. The review itself is exercised in journeys.test.ts.
 */
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { orderEventsOf } from '../../db/events';
import { inboxItems, orderIntake, orders } from '../../db/schema';
import { parsePolicy, BUILT_IN_POLICY } from '../../domain/policy';
import { workflowIdFor } from '../../workflows/messages';
import { cleanOrder, recordAsWorkflow, type TestPrincipalId, uniqueOrderId, useTestApp } from '../helpers/app';

describe('orders API', () => {
  const env = useTestApp();

  const submit = (payload: object, as: TestPrincipalId = 'shop') =>
    env.ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth(as), payload });
  const get = (url: string, as: TestPrincipalId) => env.ctx.app.inject({ method: 'GET', url, headers: env.ctx.auth(as) });
  const rowOf = (orderId: string) => env.ctx.db.select().from(orderIntake).where(eq(orderIntake.orderId, orderId)).get();

  it('201 with the pending order, its row and its workflow', async () => {
    const body = cleanOrder({ specialRequirements: ['  die-cut window  ', ''], notes: ' rush ' });
    const res = await submit(body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/v1/orders/${body.orderId as string}`);
    const state = res.json();
    expect(state).toMatchObject({
      orderId: body.orderId,
      status: 'in_review',
      revision: 1,
      priority: 'normal',
      customerId: 'C-BIG',
      submittedBy: 'shop',
      completedAt: null,
      outcome: null,
      order: { total: '1250.00', declaredTotal: '1250.00', specialRequirements: ['die-cut window'], notes: 'rush', currency: 'CNY' },
    });
    expect(state.steps.map((s: { step: string }) => s.step)).toEqual([
      'intake', 'info_check', 'credit', 'capacity', 'materials', 'special_requirements', 'final_approval',
    ]);
    expect(state).not.toHaveProperty('version');
    // The plan of the policy the order captured, intake first.
    expect(state.stages).toEqual([['intake'], ['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']]);
    expect((await get(`/v1/orders/${body.orderId as string}`, 'finance')).json().stages).toEqual(state.stages);

    const row = rowOf(body.orderId as string)!;
    expect(row).toMatchObject({ workflowStarted: true, submittedBy: 'shop', customerId: 'C-BIG', totalMinor: 125_000 });
    // No worker runs here: the order shows as submitted until its workflow writes the read model.
    expect(env.ctx.db.select().from(orders).where(eq(orders.orderId, body.orderId as string)).get()).toBeUndefined();
    expect((await get(`/v1/orders/${body.orderId as string}`, 'shop')).json()).toMatchObject({ status: 'in_review', revision: 1 });
    const described = await env.t.client.workflow.getHandle(workflowIdFor(body.orderId as string)).describe();
    expect(described.type).toBe('orderReviewWorkflow');
    expect(described.taskQueue).toBe(env.ctx.config.taskQueue);
  });

  it("the order view's plan is the one of the policy the order captured", async () => {
    const sequential = [['info_check'], ['credit'], ['capacity'], ['materials'], ['special_requirements'], ['final_approval']] as const;
    const policy = parsePolicy({ ...BUILT_IN_POLICY, stages: sequential });
    const other = await buildApp({ config: env.ctx.config, db: env.ctx.db, temporal: env.t.client, policy, sweeper: false });
    try {
      const body = cleanOrder();
      const res = await other.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth('shop'), payload: body });
      expect(res.json().stages).toEqual([['intake'], ...sequential]);
      // The plan stays the order's own: the app in front of it now runs another policy.
      expect((await get(`/v1/orders/${body.orderId as string}`, 'finance')).json().stages).toEqual([['intake'], ...sequential]);
    } finally {
      await other.close();
    }
  });

  it('generates an orderId when absent', async () => {
    const { orderId: _omit, ...body } = cleanOrder();
    const res = await submit(body);
    expect(res.statusCode).toBe(201);
    expect(res.json().orderId).toMatch(/^ORD-[A-Za-z0-9._-]+$/);
  });

  it('same orderId and body: 200 with the existing order; different body: 409; another integrator: 409', async () => {
    const body = cleanOrder();
    expect((await submit(body)).statusCode).toBe(201);
    const again = await submit(body);
    expect(again.statusCode).toBe(200);
    expect(again.json().orderId).toBe(body.orderId);
    // The same order written differently ("12.5", default priority, lower-case currency) is the same body.
    const sameMeaning = { ...body, currency: 'cny', priority: undefined, lines: [{ sku: 'BOX-1', quantity: 100, unitPrice: '12.5' }] };
    expect((await submit(sameMeaning)).statusCode).toBe(200);

    const changed = await submit({ ...body, lines: [{ sku: 'BOX-1', quantity: 101, unitPrice: '12.50' }] });
    expect(changed.statusCode).toBe(409);
    expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(changed.json().detail).toMatch(/different body/);

    const other = await submit(body, 'partner');
    expect(other.statusCode).toBe(409);
    expect(other.body).not.toContain('C-BIG');
    expect(env.ctx.db.select().from(orderIntake).where(eq(orderIntake.orderId, body.orderId as string)).all()).toHaveLength(1);
  });

  it('an integrator reads only its own orders; approvers, auditors and admins read all', async () => {
    const body = cleanOrder();
    await submit(body);
    const url = `/v1/orders/${body.orderId as string}`;
    expect((await get(url, 'shop')).statusCode).toBe(200);
    const hidden = await get(url, 'partner');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().detail).toBe(`order ${body.orderId as string} not found`);
    for (const who of ['finance', 'management', 'auditor', 'admin'] as const) {
      const res = await get(url, who);
      expect(res.statusCode, who).toBe(200);
      expect(res.json().orderId).toBe(body.orderId);
    }
    expect((await get('/v1/orders/NOPE', 'admin')).statusCode).toBe(404);
  });

  it('lists orders newest first with filters, keyset pages, and integrator scoping', async () => {
    const mine = [cleanOrder(), cleanOrder({ customerId: 'C-SMALL' }), cleanOrder()];
    for (const b of mine) expect((await submit(b)).statusCode).toBe(201);
    const theirs = cleanOrder();
    expect((await submit(theirs, 'partner')).statusCode).toBe(201);
    // Lists read the read model; no worker runs here, so write it as each order's workflow would at its start.
    for (const b of [...mine, theirs]) await recordAsWorkflow(env.ctx.db, b.orderId as string);

    const collect = async (as: TestPrincipalId, query: string) => {
      const items: { orderId: string; submittedAt: string }[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/v1/orders?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`, as);
        expect(res.statusCode, res.body).toBe(200);
        items.push(...res.json().items);
        cursor = res.json().nextCursor;
      } while (cursor);
      return items;
    };

    const shopItems = await collect('shop', '');
    const shopIds = shopItems.map((i) => i.orderId);
    expect(shopIds).toEqual(expect.arrayContaining(mine.map((b) => b.orderId)));
    expect(shopIds).not.toContain(theirs.orderId);
    expect(new Set(shopIds).size).toBe(shopIds.length);
    const times = shopItems.map((i) => i.submittedAt);
    expect(times).toEqual([...times].sort().reverse());

    const adminIds = (await collect('admin', '')).map((i) => i.orderId);
    expect(adminIds).toEqual(expect.arrayContaining([...mine.map((b) => b.orderId), theirs.orderId]));

    const small = await collect('auditor', '&customerId=C-SMALL&status=in_review');
    expect(small.map((i) => i.orderId)).toEqual([mine[1]!.orderId]);
    expect(small[0]).toEqual({
      orderId: mine[1]!.orderId,
      status: 'in_review',
      revision: 1,
      priority: 'normal',
      customerId: 'C-SMALL',
      channel: 'web',
      total: '1250.00',
      awaiting: [],
      escalated: false,
      submittedAt: expect.any(String),
      updatedAt: expect.any(String),
      completedAt: null,
    });
    expect(await collect('admin', '&status=approved')).toEqual([]);
  });

  it('inbox: own departments, management also escalated, most urgent first, paged', async () => {
    const now = Date.now();
    const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
    const item = (orderId: string, step: string, department: string, priority: string, dueH: number, escalated = false) => ({
      orderId, step, department, customerId: 'C-BIG', totalMinor: 125_000, priority, dueAt: iso(dueH), waitingSince: iso(-1), escalated,
    });
    const p = uniqueOrderId('INB');
    env.ctx.db
      .insert(inboxItems)
      .values([
        item(`${p}-1`, 'credit', 'finance', 'normal', 5),
        item(`${p}-2`, 'credit', 'finance', 'normal', 2),
        item(`${p}-3`, 'credit', 'finance', 'urgent', 9),
        item(`${p}-4`, 'credit', 'finance', 'normal', 8, true),
        item(`${p}-5`, 'capacity', 'production', 'normal', 1),
        item(`${p}-6`, 'capacity', 'production', 'normal', 1, true),
        item(`${p}-7`, 'final_approval', 'management', 'normal', 3),
      ])
      .run();

    const finance = (await get('/v1/inbox', 'finance')).json();
    expect(finance.items.map((i: { orderId: string }) => i.orderId)).toEqual([`${p}-3`, `${p}-4`, `${p}-2`, `${p}-1`]);
    expect(finance.items[0]).toEqual({
      orderId: `${p}-3`, step: 'credit', department: 'finance', customerId: 'C-BIG', total: '1250.00', priority: 'urgent',
      dueAt: iso(9), waitingSince: iso(-1), escalated: false,
      // Rows written without the read model's extras (customer name, currency, findings, claim) show them empty.
      customerName: null, currency: null, claimedBy: null, findings: [], priorityReasons: [expect.stringMatching(/^due in (9|8) h$/)],
    });
    expect(finance.nextCursor).toBeNull();

    const mgmt = (await get('/v1/inbox', 'management')).json();
    expect(mgmt.items.map((i: { orderId: string }) => i.orderId)).toEqual([`${p}-6`, `${p}-4`, `${p}-7`]);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { items: { orderId: string }[]; nextCursor: string | null } = (await get(`/v1/inbox?limit=1${cursor ? `&cursor=${cursor}` : ''}`, 'finance')).json();
      pages.push(...res.items.map((i: { orderId: string }) => i.orderId));
      cursor = res.nextCursor;
    } while (cursor);
    expect(pages).toEqual([`${p}-3`, `${p}-4`, `${p}-2`, `${p}-1`]);
  });

  it('decision: 404 for an unknown order, 400 without a comment to reject, 409 on a finished order (recorded)', async () => {
    const decide = (orderId: string, step: string, payload: object, as: TestPrincipalId = 'finance') =>
      env.ctx.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/steps/${step}/decision`, headers: env.ctx.auth(as), payload });

    expect((await decide('NOPE', 'credit', { decision: 'approve' })).statusCode).toBe(404);
    const noComment = await decide('NOPE', 'credit', { decision: 'reject' });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().errors).toEqual([{ path: 'comment', message: 'a comment is required to reject' }]);
    expect((await decide('NOPE', 'credit', { decision: 'request_changes', comment: '   ' })).statusCode).toBe(400);
    expect((await decide('NOPE', 'nonsense', { decision: 'approve' })).statusCode).toBe(400);

    const body = cleanOrder();
    await submit(body);
    const orderId = body.orderId as string;
    await recordAsWorkflow(env.ctx.db, orderId, { status: 'rejected' });
    const res = await decide(orderId, 'credit', { decision: 'approve' });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe('order is rejected');
    const refused = orderEventsOf(env.ctx.db, orderId).filter((e) => e.type === 'order.decision_refused');
    expect(refused).toEqual([
      expect.objectContaining({ step: 'credit', actor: 'finance', data: expect.objectContaining({ status: 409, reason: 'order is rejected' }) }),
    ]);
  });

  it('amend and cancel: only the submitter (and an admin for cancel); 422 on unknown references; 409 once finished', async () => {
    const body = cleanOrder();
    await submit(body);
    const orderId = body.orderId as string;
    const { orderId: _drop, ...amendment } = body;
    const amend = (payload: object, as: TestPrincipalId = 'shop') =>
      env.ctx.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/amendments`, headers: env.ctx.auth(as), payload });
    const cancel = (as: TestPrincipalId) =>
      env.ctx.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: env.ctx.auth(as), payload: { reason: 'no longer needed' } });

    expect((await amend(amendment, 'partner')).statusCode).toBe(404);
    expect((await amend({ ...amendment, orderId: 'X' })).statusCode).toBe(400);
    const unknown = await amend({ ...amendment, lines: [{ sku: 'NOPE', quantity: 1, unitPrice: '1.00' }] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([{ path: 'lines.0.sku', message: expect.any(String) }]);
    expect((await cancel('partner')).statusCode).toBe(404);
    expect((await env.ctx.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: env.ctx.auth('shop'), payload: {} })).statusCode).toBe(400);

    await recordAsWorkflow(env.ctx.db, orderId, { status: 'approved' });
    const late = await amend(amendment);
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toBe('order is approved');
    expect((await cancel('shop')).statusCode).toBe(409);
    expect((await cancel('admin')).statusCode).toBe(409);
  });

  describe('crash between the row and the workflow start', () => {
    const failingTemporal = {
      withDeadline: <R>(_d: number, fn: () => Promise<R>) => fn(),
      workflow: {
        start: async () => {
          throw new Error('Temporal is unreachable');
        },
      },
    } as unknown as Client;

    /** Submits through an app whose Temporal is down: the row is written, the start fails (503). */
    async function submitWithTemporalDown(body: object) {
      const broken = await buildApp({ config: env.ctx.config, db: env.ctx.db, temporal: failingTemporal, policy: env.ctx.app.policy, sweeper: false });
      try {
        const res = await broken.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth('shop'), payload: body });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.json().detail).not.toMatch(/unreachable/);
      } finally {
        await broken.close();
      }
    }

    it('a retry of the same body starts the review the first attempt could not', async () => {
      const body = cleanOrder();
      await submitWithTemporalDown(body);
      expect(rowOf(body.orderId as string)?.workflowStarted).toBe(false);

      const retry = await submit(body);
      expect(retry.statusCode).toBe(200);
      expect(rowOf(body.orderId as string)?.workflowStarted).toBe(true);
      await expect(env.t.client.workflow.getHandle(workflowIdFor(body.orderId as string)).describe()).resolves.toBeDefined();
    });

    it('the sweeper starts reviews left unstarted', async () => {
      const body = cleanOrder();
      await submitWithTemporalDown(body);
      const swept = await buildApp({
        config: env.ctx.config,
        db: env.ctx.db,
        temporal: env.t.client,
        policy: env.ctx.app.policy,
        sweeper: { intervalMs: 100, graceMs: 0 },
      });
      await swept.ready();
      try {
        await expect.poll(() => rowOf(body.orderId as string)?.workflowStarted, { timeout: 10_000 }).toBe(true);
        const described = await env.t.client.workflow.getHandle(workflowIdFor(body.orderId as string)).describe();
        expect(described.status.name).toBe('RUNNING');
      } finally {
        await swept.close();
      }
    });
  });
});
