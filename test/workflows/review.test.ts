/** The order review workflow on a real Temporal dev server with a real worker and a real SQLite file. */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { capacityBookings, customers, inboxItems, materialReservations, orders } from '../../db/schema';
import { addDays } from '../../domain/dates';
import { amendUpdate, cancelUpdate, type OrderState } from '../../workflows/messages';
import { createTestDb, normalised, testPolicy, today } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import {
  actor,
  awaitingOf,
  decide,
  engineering,
  finance,
  finance2,
  management,
  procurement,
  production,
  sales,
  startOrder,
  until,
} from './helpers';

let tc: TestClient;
let db: Db;
let worker: TestWorker;
const taskQueue = uniqueTaskQueue('review');

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
  worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
});

afterAll(async () => {
  await worker?.stop();
  await tc?.connection.close();
});

const start = (...args: Parameters<typeof normalised>) => startOrder(tc.client, taskQueue, normalised(...args));

function activeHolds(orderId: string) {
  const reservations = db
    .select()
    .from(materialReservations)
    .where(and(eq(materialReservations.orderId, orderId), isNull(materialReservations.releasedAt)))
    .all();
  const bookings = db
    .select()
    .from(capacityBookings)
    .where(and(eq(capacityBookings.orderId, orderId), isNull(capacityBookings.releasedAt)))
    .all();
  return { reservations, bookings };
}

const stepOf = (s: OrderState, step: string) => s.steps.find((x) => x.step === step)!;

describe('a clean order', () => {
  it('is approved with no human step, materials reserved and capacity booked exactly once', async () => {
    const h = await start();
    const outcome = await h.result();
    expect(outcome).toMatchObject({ status: 'approved', step: 'final_approval', reason: 'approved automatically' });
    const orderId = h.workflowId.replace(/^order-/, '');
    const { reservations, bookings } = activeHolds(orderId);
    expect(reservations).toEqual([expect.objectContaining({ materialId: 'M-KRAFT', quantity: 200, revision: 1 })]);
    expect(bookings.reduce((s, b) => s + b.hours, 0)).toBeCloseTo(0.1);
    const row = db.select().from(orders).where(eq(orders.orderId, orderId)).get()!;
    expect(row.status).toBe('approved');
    const state = row.state as unknown as OrderState;
    expect(state.steps.map((s) => s.status)).toEqual([
      'auto_approved', 'auto_approved', 'auto_approved', 'auto_approved', 'auto_approved', 'skipped', 'auto_approved',
    ]);
    expect(state.outcome?.status).toBe('approved');
  });
});

describe('a finding waits for exactly the department that must decide', () => {
  it('credit over the limit → finance approves → management approves → approved', async () => {
    const h = await start({ customerId: 'C-SMALL' });
    const s1 = await until(h, awaitingOf('credit'));
    expect(stepOf(s1, 'credit').findings.map((f) => f.code)).toContain('CREDIT_LIMIT_EXCEEDED');
    // The read model follows the workflow through an activity: wait for it rather than race it.
    await expect.poll(() => db.select().from(inboxItems).where(eq(inboxItems.orderId, s1.orderId)).all().map((i) => i.department)).toEqual(['finance']);

    const s2 = await decide(h, 'credit', 'approve', finance, 'known customer');
    expect(stepOf(s2, 'credit')).toMatchObject({ status: 'approved', decision: { decision: 'approve', by: 'fin-1', comment: 'known customer' } });
    // Final approval is not automatic once a human decided earlier.
    expect(s2.awaiting).toEqual(['final_approval']);
    const s3 = await decide(h, 'final_approval', 'approve', management);
    expect(s3.status).toBe('approved');
    expect(await h.result()).toMatchObject({ status: 'approved', reason: 'approved by mgmt-1' });
  });

  it('credit rejected → order rejected and its holds released', async () => {
    const h = await start({ customerId: 'C-SMALL' });
    const s1 = await until(h, awaitingOf('credit'));
    expect(activeHolds(s1.orderId).reservations.length).toBe(1); // materials passed side by side
    const s2 = await decide(h, 'credit', 'reject', finance2, 'over limit');
    expect(s2.status).toBe('rejected');
    expect(s2.outcome).toMatchObject({ status: 'rejected', step: 'credit', reason: 'over limit' });
    expect(activeHolds(s1.orderId)).toEqual({ reservations: [], bookings: [] });
  });

  it('several departments of one stage wait side by side', async () => {
    const h = await start({ customerId: 'C-SMALL', lines: [{ sku: 'RARE', quantity: 11, unitPrice: '20.00' }], declaredTotal: '220.00' });
    const s1 = await until(h, awaitingOf('credit', 'materials'));
    expect(stepOf(s1, 'materials').findings.map((f) => f.code)).toEqual(['MATERIAL_SHORTAGE']);
    expect(stepOf(s1, 'capacity').status).toBe('auto_approved');
    // Approving materials anyway reserves it with a pre-purchase.
    const s2 = await decide(h, 'materials', 'approve', procurement, 'pre-purchase 1');
    expect(s2.awaiting).toEqual(['credit']);
    expect(activeHolds(s1.orderId).reservations).toEqual([expect.objectContaining({ materialId: 'M-RARE', quantity: 11, prePurchase: 1 })]);
    await decide(h, 'credit', 'approve', finance);
    await until(h, awaitingOf('final_approval'));
  });

  it('price mismatch → sales; capacity short → production; special requirement → engineering', async () => {
    const price = await start({ lines: [{ sku: 'BOX', quantity: 100, unitPrice: '11.00' }], declaredTotal: '1100.00' });
    const p = await until(price, awaitingOf('info_check'));
    expect(stepOf(p, 'info_check').findings.map((f) => f.code)).toEqual(['PRICE_MISMATCH']);
    expect(stepOf(p, 'credit').status).toBe('pending'); // the next stage waits for info_check
    await decide(price, 'info_check', 'approve', sales, 'agreed discount');
    await until(price, awaitingOf('final_approval'));

    const slow = await start({ lines: [{ sku: 'SLOW', quantity: 5, unitPrice: '10.00' }], declaredTotal: '50.00', requestedDeliveryDate: addDays(today(), 2) });
    const c = await until(slow, awaitingOf('capacity'));
    expect(stepOf(c, 'capacity').findings.map((f) => f.code)).toEqual(['CAPACITY_INSUFFICIENT']);
    expect(activeHolds(c.orderId).bookings).toEqual([]);
    await decide(slow, 'capacity', 'approve', production, 'overtime');
    expect(activeHolds(c.orderId).bookings.reduce((s, b) => s + b.hours, 0)).toBeCloseTo(50);

    const special = await start({ specialRequirements: ['die-cut window'] });
    const e = await until(special, awaitingOf('special_requirements'));
    expect(stepOf(e, 'special_requirements').findings).toEqual([expect.objectContaining({ code: 'SPECIAL_REQUIREMENT' })]);
    await decide(special, 'special_requirements', 'approve', engineering);
    await until(special, awaitingOf('final_approval'));
  });
});

describe('timers', () => {
  const timed = (onTimeout: 'reject' | 'expire') => testPolicy({ reminder: '1s', escalate: '2s', timeout: '4s', onTimeout });

  it('reminds, escalates to management, then times out and rejects', async () => {
    const h = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }), { policy: timed('reject') });
    const escalated = await until(h, (s) => stepOf(s, 'credit').escalated);
    expect(escalated.status).toBe('in_review');
    await expect
      .poll(() => db.select().from(inboxItems).where(and(eq(inboxItems.orderId, escalated.orderId), eq(inboxItems.step, 'credit'))).get()?.escalated)
      .toBe(true);
    expect(await h.result()).toMatchObject({ status: 'rejected', step: 'credit' });
    const end = await until(h, () => true);
    expect(stepOf(end, 'credit').status).toBe('timed_out');
  });

  it('management may decide an escalated step', async () => {
    const h = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }), { policy: timed('reject') });
    await until(h, awaitingOf('credit'));
    await expect(decide(h, 'credit', 'approve', actor('boss', 'management'))).rejects.toThrow(WorkflowUpdateFailedError);
    await until(h, (s) => stepOf(s, 'credit').escalated);
    const s = await decide(h, 'credit', 'approve', actor('boss', 'management'));
    expect(stepOf(s, 'credit').decision?.by).toBe('boss');
  });

  it('onTimeout expire ends the order expired', async () => {
    const h = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }), { policy: timed('expire') });
    expect(await h.result()).toMatchObject({ status: 'expired', step: 'credit' });
  });
});

describe('changes, amendments and cancellation', () => {
  it('request changes → amend → reviewed again from info_check → approved', async () => {
    // A customer of its own: other tests' open orders would count towards C-SMALL's exposure.
    db.insert(customers)
      .values({ id: 'C-AMEND', name: 'Amending', tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
      .run();
    const first = normalised({ customerId: 'C-AMEND' });
    const h = await startOrder(tc.client, taskQueue, first);
    await until(h, awaitingOf('credit'));
    const s1 = await decide(h, 'credit', 'request_changes', finance, 'order less, please');
    expect(s1.status).toBe('changes_requested');
    expect(activeHolds(first.orderId).reservations.length).toBe(1); // kept until amended

    const smaller = normalised({ customerId: 'C-AMEND', lines: [{ sku: 'BOX', quantity: 4, unitPrice: '12.50' }], declaredTotal: '50.00' }, first.orderId);
    const s2 = await h.executeUpdate(amendUpdate, { args: [{ order: smaller, actor: actor('shop') }] });
    expect(s2.revision).toBe(2);
    expect(await h.result()).toMatchObject({ status: 'approved', reason: 'approved automatically' });
    const { reservations } = activeHolds(first.orderId);
    expect(reservations).toEqual([expect.objectContaining({ revision: 2, quantity: 8 })]);
  });

  it('an order left in changes_requested expires', async () => {
    const h = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }), { policy: testPolicy({ changesRequestedTimeout: '1s' }) });
    await until(h, awaitingOf('credit'));
    await decide(h, 'credit', 'request_changes', finance, 'fix it');
    expect(await h.result()).toMatchObject({ status: 'expired' });
  });

  it('cancel mid-review releases holds; a second cancel is refused', async () => {
    const order = normalised({ customerId: 'C-SMALL' });
    const h = await startOrder(tc.client, taskQueue, order);
    await until(h, awaitingOf('credit'));
    expect(activeHolds(order.orderId).reservations.length).toBe(1);
    const s = await h.executeUpdate(cancelUpdate, { args: [{ reason: 'customer withdrew', actor: actor('shop') }] });
    expect(s.status).toBe('cancelled');
    expect(stepOf(s, 'credit').status).toBe('cancelled');
    expect(activeHolds(order.orderId)).toEqual({ reservations: [], bookings: [] });
    // Refused by the validator while the workflow is still closing, or not found once it closed.
    await expect(h.executeUpdate(cancelUpdate, { args: [{ reason: 'again', actor: actor('shop') }] })).rejects.toThrow();
    expect(await h.result()).toMatchObject({ status: 'cancelled', reason: 'customer withdrew' });
  });

  it('amendments are bounded by maxRevisions', async () => {
    const order = normalised({ customerId: 'C-SMALL' });
    const h = await startOrder(tc.client, taskQueue, order, { policy: testPolicy({ patch: { maxRevisions: 2 } }) });
    await until(h, awaitingOf('credit'));
    await h.executeUpdate(amendUpdate, { args: [{ order, actor: actor('shop') }] });
    const err = await h.executeUpdate(amendUpdate, { args: [{ order, actor: actor('shop') }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'REVISION_LIMIT' });
  });
});

describe('who may decide', () => {
  const failureOf = async (p: Promise<unknown>) => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return (err as WorkflowUpdateFailedError).cause as unknown as { type: string; message: string };
  };

  it('refuses the wrong department, the submitter, a second step by one principal, and a step not awaiting', async () => {
    const h = await start({ customerId: 'C-SMALL', lines: [{ sku: 'RARE', quantity: 11, unitPrice: '20.00' }], declaredTotal: '220.00' });
    await until(h, awaitingOf('credit', 'materials'));
    expect(await failureOf(decide(h, 'credit', 'approve', sales))).toMatchObject({ type: 'FORBIDDEN' });
    expect(await failureOf(decide(h, 'credit', 'approve', actor('shop', 'finance')))).toMatchObject({ type: 'FORBIDDEN', message: expect.stringContaining('segregation of duties') });
    const both = actor('both-1', 'finance', 'procurement');
    await decide(h, 'credit', 'approve', both);
    expect(await failureOf(decide(h, 'materials', 'approve', both))).toMatchObject({ type: 'FORBIDDEN', message: expect.stringContaining('already decided step credit') });
    expect(await failureOf(decide(h, 'credit', 'approve', finance))).toMatchObject({ type: 'NOT_AWAITING', message: expect.stringContaining('already decided (approve) by both-1') });
    expect(await failureOf(decide(h, 'final_approval', 'approve', management))).toMatchObject({ type: 'NOT_AWAITING', message: expect.stringContaining('not been reached') });
  });

  it('two decisions racing on one step: exactly one wins', async () => {
    const h = await start({ customerId: 'C-SMALL' });
    await until(h, awaitingOf('credit'));
    const results = await Promise.allSettled([
      decide(h, 'credit', 'approve', finance),
      decide(h, 'credit', 'reject', finance2, 'no'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    if (lost.reason instanceof WorkflowNotFoundError) {
      // The reject won and ended the order before the approve reached it: the server refuses an Update of a closed
      // workflow (the API answers that 409 "order is rejected" from the read model).
      expect(results[1]!.status).toBe('fulfilled');
      expect(await h.result()).toMatchObject({ status: 'rejected' });
    } else {
      expect((lost.reason as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'NOT_AWAITING' });
    }
  });
});

describe('durability', () => {
  it('a worker stopped mid-review and replaced resumes with nothing lost or done twice', async () => {
    const queue = uniqueTaskQueue('restart');
    const acts = createActivities(db);
    const first = await startTestWorker({ taskQueue: queue, activities: acts, connection: tc.connection });
    const order = normalised({ customerId: 'C-SMALL' });
    const h = await startOrder(tc.client, queue, order);
    await until(h, awaitingOf('credit'));
    await first.stop();

    const second = await startTestWorker({ taskQueue: queue, activities: acts, connection: tc.connection });
    try {
      await decide(h, 'credit', 'approve', finance);
      await decide(h, 'final_approval', 'approve', management);
      expect(await h.result()).toMatchObject({ status: 'approved' });
      const { reservations, bookings } = activeHolds(order.orderId);
      expect(reservations).toHaveLength(1);
      expect(bookings.reduce((s, b) => s + b.hours, 0)).toBeCloseTo(0.1);
    } finally {
      await second.stop();
    }
  });
});
