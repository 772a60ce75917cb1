/**
 * The customer's record in the risk score, read from the read model and the event log on a temp database (no
 * server): only the customer's own orders count, and an order counts as troubled when it was rejected or when the
 * log holds an `order.changes_requested` event of that order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { closeDatabase, type Db } from '../../db/client';
import type { NewEvent } from '../../domain/events';
import type { OrderState } from '../../workflows/messages';
import { createTestDb, normalised } from '../helpers/fixtures';

const HISTORY_REASON = /rejected or sent back for changes/;

describe('assessOrderRisk: the customer history', () => {
  let db: Db;
  let acts: ReturnType<typeof createActivities>;
  beforeEach(() => {
    db = createTestDb();
    acts = createActivities(db);
  });
  afterEach(() => closeDatabase(db));

  /** A finished order of `customerId`, written the way its workflow writes it. */
  async function finished(orderId: string, customerId: string, status: OrderState['status'], events: NewEvent[] = []) {
    const at = '2026-12-01T10:00:00.000Z';
    const state = {
      orderId,
      status,
      revision: 1,
      priority: 'normal',
      customerId,
      submittedBy: 'shop',
      submittedAt: at,
      updatedAt: at,
      completedAt: at,
      order: { orderId, customerId, channel: 'web', currency: 'CNY', total: '10.00' },
      risk: null,
      steps: [],
      awaiting: [],
      outcome: null,
      stages: [],
      version: 1,
    } as unknown as OrderState;
    await acts.recordState({ state, events });
  }
  const sentBack = (orderId: string): NewEvent => ({
    id: `${orderId}:changes`,
    type: 'order.changes_requested',
    at: '2026-12-01T09:00:00.000Z',
    revision: 1,
    step: 'credit',
    actor: 'finance-approver',
    data: {},
  });
  const reasons = async (customerId: string) => (await acts.assessOrderRisk({ order: normalised({ customerId }) })).reasons.join(' | ');

  it("another customer's order sent back for changes does not count against this customer", async () => {
    for (const id of ['OK-1', 'OK-2', 'OK-3', 'OK-4']) await finished(id, 'C-OK', 'approved');
    await finished('SM-1', 'C-SMALL', 'approved', [sentBack('SM-1')]);
    expect(await reasons('C-OK')).not.toMatch(HISTORY_REASON);
  });

  it('counts its own orders sent back for changes and its rejected ones', async () => {
    await finished('OK-1', 'C-OK', 'approved', [sentBack('OK-1')]);
    await finished('OK-2', 'C-OK', 'rejected');
    await finished('OK-3', 'C-OK', 'approved');
    await finished('OK-4', 'C-OK', 'approved');
    expect(await reasons('C-OK')).toMatch(/2 of the customer's last 4 orders were rejected or sent back for changes \(\+30\)/);
  });
});
