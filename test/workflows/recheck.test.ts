/** Rechecking a waiting step, on the workflow itself (real server, real worker, real SQLite). */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { materialReservations, materials } from '../../db/schema';
import { type OrderState, recheckUpdate, type RecheckInput } from '../../workflows/messages';
import { addDays } from '../../domain/dates';
import { createTestDb, normalised, today } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { actor, awaitingOf, decide, engineering, finance, type OrderHandle, procurement, production, startOrder, until } from './helpers';

let tc: TestClient;
let db: Db;
let worker: TestWorker;
const taskQueue = uniqueTaskQueue('recheck');

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
  worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
});
afterAll(async () => {
  await worker?.stop();
  await tc?.connection.close();
});

const stepOf = (s: OrderState, step: string) => s.steps.find((x) => x.step === step)!;
const recheck = (h: OrderHandle, input: RecheckInput) => h.executeUpdate(recheckUpdate, { args: [input] });

/** The failure type a refused update carries (FORBIDDEN, NOT_AWAITING, …). */
async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return (err.cause as { type?: string } | undefined)?.type;
    throw err;
  }
  throw new Error('expected the update to be refused');
}

describe('recheckUpdate', () => {
  it('a materials recheck that passes after a stock arrival reserves the stock and the review goes on', async () => {
    // 11 window boxes need 11 M-RARE; 10 are on hand.
    const h = await startOrder(tc.client, taskQueue, normalised({ lines: [{ sku: 'RARE', quantity: 11, unitPrice: '20.00' }], declaredTotal: '220.00' }));
    const waiting = await until(h, awaitingOf('materials'));
    expect(stepOf(waiting, 'materials').evidence).toMatchObject({ materials: [{ materialId: 'M-RARE', needed: 11, available: 10 }] });
    const orderId = waiting.orderId;
    const held = () =>
      db.select().from(materialReservations).where(and(eq(materialReservations.orderId, orderId), isNull(materialReservations.releasedAt))).all();
    expect(held()).toEqual([]);

    // Refused: another department; a step not waiting; a step with no master-data check.
    expect(await refusal(recheck(h, { step: 'materials', actor: finance }))).toBe('FORBIDDEN');
    expect(await refusal(recheck(h, { step: 'materials', actor: actor('shop', 'procurement') }))).toBe('FORBIDDEN'); // the submitter
    expect(await refusal(recheck(h, { step: 'credit', actor: finance }))).toBe('NOT_AWAITING');
    expect(await refusal(recheck(h, { step: 'special_requirements', actor: engineering }))).toBe('INVALID_TRANSITION');

    db.update(materials).set({ onHand: 20 }).where(eq(materials.id, 'M-RARE')).run();
    const after = await recheck(h, { step: 'materials', actor: procurement });
    expect(stepOf(after, 'materials')).toMatchObject({ status: 'auto_approved', findings: [], evidence: { materials: [{ materialId: 'M-RARE', needed: 11, onHand: 20 }] } });
    expect(held()).toEqual([expect.objectContaining({ materialId: 'M-RARE', quantity: 11, prePurchase: 0 })]);
    expect(await h.result()).toMatchObject({ status: 'approved' });
  });

  it('a recheck that still finds something keeps the step waiting, and a decision still decides it', async () => {
    const h = await startOrder(tc.client, taskQueue, normalised({ customerId: 'C-SMALL' }));
    await until(h, awaitingOf('credit'));
    const after = await recheck(h, { step: 'credit', actor: finance });
    expect(after.awaiting).toEqual(['credit']);
    expect(stepOf(after, 'credit')).toMatchObject({ status: 'awaiting_decision', findings: [{ code: 'CREDIT_LIMIT_EXCEEDED' }] });
    await decide(h, 'credit', 'reject', finance, 'no');
    expect(await h.result()).toMatchObject({ status: 'rejected', step: 'credit' });
  });

  it('a capacity step still waiting is rechecked by production only', async () => {
    // 100 hours in 3 production days of 16.
    const order = normalised({ requestedDeliveryDate: addDays(today(), 3), lines: [{ sku: 'SLOW', quantity: 10, unitPrice: '10.00' }], declaredTotal: '100.00' });
    const h = await startOrder(tc.client, taskQueue, order);
    await until(h, awaitingOf('capacity'));
    expect(await refusal(recheck(h, { step: 'capacity', actor: procurement }))).toBe('FORBIDDEN');
    const after = await recheck(h, { step: 'capacity', actor: production });
    expect(stepOf(after, 'capacity')).toMatchObject({ status: 'awaiting_decision', evidence: { hoursNeeded: 100 } });
    await decide(h, 'capacity', 'reject', production, 'cannot make it');
    await h.result();
  });
});
