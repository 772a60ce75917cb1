/**
 * Amendment-aware re-review on the dev server (contract section 12): with reReview "changed" (the default) only the
 * steps whose inputs changed look again, the others keep their result and their holds; "all" reviews everything.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { capacityBookings, customers, materialReservations } from '../../db/schema';
import { addDays } from '../../domain/dates';
import { changedSteps } from '../../domain/re-review';
import { amendUpdate, type OrderState } from '../../workflows/messages';
import { createTestDb, normalised, testPolicy, today } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { actor, awaitingOf, decide, finance, management, startOrder, until } from './helpers';

let tc: TestClient;
let db: Db;
let worker: TestWorker;
const taskQueue = uniqueTaskQueue('re-review');

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
  worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
});
afterAll(async () => {
  await worker?.stop();
  await tc?.connection.close();
});

/** A customer of the test's own, with a 100.00 limit: a 1250.00 order waits for finance. */
function customer(id: string): string {
  db.insert(customers)
    .values({ id, name: id, tier: 'standard', creditLimitMinor: 10_000, openBalanceMinor: 0, allowedPaymentTerms: ['NET30'], onHold: false, updatedAt: today() })
    .run();
  return id;
}

const stepOf = (s: OrderState, step: string) => s.steps.find((x) => x.step === step)!;
const active = (orderId: string) => ({
  reservations: db.select().from(materialReservations).where(and(eq(materialReservations.orderId, orderId), isNull(materialReservations.releasedAt))).all(),
  bookings: db.select().from(capacityBookings).where(and(eq(capacityBookings.orderId, orderId), isNull(capacityBookings.releasedAt))).all(),
});

/** Credit approved by finance, then management asks for another delivery date. */
async function creditApprovedThenChangesRequested(policy = testPolicy()) {
  const first = normalised({ customerId: customer(`C-RR-${Math.random().toString(36).slice(2, 8)}`) });
  const h = await startOrder(tc.client, taskQueue, first, { policy });
  await until(h, awaitingOf('credit'));
  await decide(h, 'credit', 'approve', finance, 'known customer');
  await until(h, awaitingOf('final_approval'));
  const s = await decide(h, 'final_approval', 'request_changes', management, 'we can deliver a week later only');
  expect(s.status).toBe('changes_requested');
  return { h, first };
}

describe('which steps an amendment re-runs', () => {
  const base = normalised();
  it.each([
    ['only the delivery date', { requestedDeliveryDate: addDays(base.requestedDeliveryDate, 7) }, ['capacity', 'final_approval']],
    ['a quantity', { lines: [{ sku: 'BOX', quantity: 101, unitPriceMinor: 1250 }], totalMinor: 126_250 }, ['capacity', 'credit', 'final_approval', 'info_check', 'materials']],
    ['special requirements', { specialRequirements: ['gold foil'] }, ['final_approval', 'special_requirements']],
    ['the payment terms', { paymentTerms: 'NET60' }, ['credit', 'final_approval']],
    ['only the notes', { notes: 'ring twice' }, ['final_approval']],
  ])('%s', (_what, change, expected) => {
    expect([...changedSteps(base, { ...base, ...change })].sort()).toEqual(expected);
  });
});

it('moving only the delivery date re-runs capacity and final approval, and keeps credit’s human approval and the stock', async () => {
  const { h, first } = await creditApprovedThenChangesRequested();
  const before = active(first.orderId);
  expect(before.reservations).toEqual([expect.objectContaining({ revision: 1 })]);

  const later = { ...first, requestedDeliveryDate: addDays(first.requestedDeliveryDate, 7) };
  const s2 = await h.executeUpdate(amendUpdate, { args: [{ order: later, actor: actor('shop') }] });
  expect(s2.revision).toBe(2);
  const waiting = await until(h, awaitingOf('final_approval'));
  expect(stepOf(waiting, 'credit')).toMatchObject({ status: 'approved', keptFromRevision: 1, decision: expect.objectContaining({ by: 'fin-1' }) });
  expect(stepOf(waiting, 'info_check')).toMatchObject({ status: 'auto_approved', keptFromRevision: 1 });
  expect(stepOf(waiting, 'materials')).toMatchObject({ status: 'auto_approved', keptFromRevision: 1 });
  expect(stepOf(waiting, 'capacity')).toMatchObject({ status: 'auto_approved', keptFromRevision: null });
  // Still manual earlier (credit), so management approves again.
  expect(stepOf(waiting, 'final_approval')).toMatchObject({ status: 'awaiting_decision' });

  // The kept step's reservation stays; capacity was booked anew for the new date and the old booking released.
  const after = active(first.orderId);
  expect(after.reservations).toEqual(before.reservations);
  expect(after.bookings.every((b) => b.revision === 2)).toBe(true);
  expect(after.bookings.length).toBeGreaterThan(0);

  await decide(h, 'final_approval', 'approve', management, 'a week later is fine');
  expect(await h.result()).toMatchObject({ status: 'approved' });
  expect(active(first.orderId).reservations).toEqual(before.reservations);
});

it('with reReview "all" an amendment reviews everything again, as before', async () => {
  const { h, first } = await creditApprovedThenChangesRequested(testPolicy({ patch: { reReview: 'all' } }));
  const later = { ...first, requestedDeliveryDate: addDays(first.requestedDeliveryDate, 7) };
  await h.executeUpdate(amendUpdate, { args: [{ order: later, actor: actor('shop') }] });
  const s = await until(h, awaitingOf('credit'));
  expect(stepOf(s, 'credit')).toMatchObject({ status: 'awaiting_decision' });
  expect(stepOf(s, 'info_check').keptFromRevision ?? null).toBeNull();
  expect(active(first.orderId).reservations).toEqual([expect.objectContaining({ revision: 2 })]);
  await h.terminate('test over');
});
