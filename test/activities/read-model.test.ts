/**
 * recordState against a temp database, no server: only a newer state replaces the read model, a retried attempt
 * logs nothing twice, the inbox holds exactly the steps now awaiting a decision, and the upsert leaves alone the
 * columns of the orders row it does not own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { closeDatabase, type Db } from '../../db/client';
import { orderEventsOf } from '../../db/events';
import type { NewEvent } from '../../domain/events';
import type { OrderState, StepView } from '../../workflows/messages';
import { createTestDb } from '../helpers/fixtures';

const ORDER = 'RM-1';

function step(s: StepView['step'], overrides: Partial<StepView> = {}): StepView {
  return { step: s, department: 'finance', status: 'auto_approved', findings: [], dueAt: null, waitingSince: null, escalated: false, decision: null, ...overrides };
}

function state(version: number, overrides: Partial<OrderState> = {}): OrderState {
  return {
    orderId: ORDER,
    status: 'in_review',
    revision: 1,
    priority: 'normal',
    customerId: 'C-OK',
    submittedBy: 'shop',
    submittedAt: '2026-12-03T05:00:00.000Z',
    updatedAt: `2026-12-03T05:${String(version).padStart(2, '0')}:00.000Z`,
    completedAt: null,
    order: { orderId: ORDER, customerId: 'C-OK', channel: 'web', currency: 'CNY', total: '1250.00' } as OrderState['order'],
    risk: null,
    steps: [],
    awaiting: [],
    outcome: null,
    stages: [['info_check'], ['credit', 'capacity']],
    version,
    ...overrides,
  };
}

function event(id: string, overrides: Partial<NewEvent> = {}): NewEvent {
  return { id, type: 'order.submitted', at: '2026-12-03T05:00:00.000Z', revision: 1, step: null, actor: 'shop', data: { id }, ...overrides };
}

describe('recordState', () => {
  let db: Db;
  let woken: number;
  let acts: ReturnType<typeof createActivities>;
  beforeEach(() => {
    db = createTestDb();
    woken = 0;
    acts = createActivities(db, { onEventsLogged: () => woken++ });
  });
  afterEach(() => closeDatabase(db));

  const row = () =>
    db.$client.prepare('select status, customer_id, escalated, version, state, submitted_at from orders where order_id = ?').get(ORDER) as
      | { status: string; customer_id: string; escalated: number; version: number; state: string; submitted_at: string }
      | undefined;
  const inbox = () =>
    db.$client
      .prepare('select step, department, customer_name, escalated, claimed_by, findings, due_at from inbox_items where order_id = ? order by step')
      .all(ORDER);

  const awaitingCredit = step('credit', {
    status: 'awaiting_decision',
    findings: [{ code: 'CREDIT_LIMIT_EXCEEDED', message: 'over the limit' }] as StepView['findings'],
    dueAt: '2026-12-04T05:00:00.000Z',
    waitingSince: '2026-12-03T05:02:00.000Z',
    escalated: true,
    claimedBy: 'finance-approver',
  });
  const awaitingCapacity = step('capacity', { department: 'production', status: 'awaiting_decision', waitingSince: '2026-12-03T05:02:00.000Z' });

  it('writes the row and the inbox of the steps awaiting a decision, and logs the events in order', async () => {
    const s = state(2, { steps: [step('info_check'), awaitingCredit, awaitingCapacity], awaiting: ['credit', 'capacity'] });
    expect(await acts.recordState({ state: s, events: [event('e1'), event('e2', { type: 'step.awaiting' as NewEvent['type'], step: 'credit' })] })).toEqual({
      applied: true,
      logged: 2,
    });
    expect(row()).toMatchObject({ status: 'in_review', customer_id: 'C-OK', escalated: 1, version: 2 });
    expect(JSON.parse(row()!.state)).toEqual(s);
    expect(inbox()).toEqual([
      // No due time: the step is due from the state's time.
      { step: 'capacity', department: 'production', customer_name: 'Clean Customer', escalated: 0, claimed_by: null, findings: '[]', due_at: s.updatedAt },
      {
        step: 'credit',
        department: 'finance',
        customer_name: 'Clean Customer',
        escalated: 1,
        claimed_by: 'finance-approver',
        findings: JSON.stringify(awaitingCredit.findings),
        due_at: '2026-12-04T05:00:00.000Z',
      },
    ]);
    expect(orderEventsOf(db, ORDER).map((e) => [e.id, e.seq, e.step, e.data])).toEqual([
      ['e1', 1, null, { id: 'e1' }],
      ['e2', 2, 'credit', { id: 'e2' }],
    ]);
    expect(woken).toBe(1);
  });

  it('a retried attempt changes nothing and logs nothing twice; an older state never replaces a newer one', async () => {
    const s2 = state(2, { steps: [awaitingCredit], awaiting: ['credit'] });
    await acts.recordState({ state: s2, events: [event('e1')] });
    expect(await acts.recordState({ state: s2, events: [event('e1')] })).toEqual({ applied: false, logged: 0 });
    expect(woken).toBe(1);

    // A late attempt of an older state: its row and inbox lose, its events not yet logged are kept (the log is
    // append-only; the row is what the newest state says).
    expect(await acts.recordState({ state: state(1, { status: 'changes_requested' }), events: [event('e1'), event('e0')] })).toEqual({
      applied: false,
      logged: 1,
    });
    expect(row()).toMatchObject({ status: 'in_review', version: 2 });
    expect(inbox()).toHaveLength(1);
    expect(orderEventsOf(db, ORDER).map((e) => [e.id, e.seq])).toEqual([
      ['e1', 1],
      ['e0', 2],
    ]);
  });

  it('a newer state rewrites the inbox: a step no longer awaiting leaves it', async () => {
    await acts.recordState({ state: state(2, { steps: [awaitingCredit, awaitingCapacity], awaiting: ['credit', 'capacity'] }), events: [] });
    await acts.recordState({ state: state(3, { steps: [step('credit', { status: 'approved' }), awaitingCapacity], awaiting: ['capacity'] }), events: [] });
    expect(inbox().map((r) => (r as { step: string }).step)).toEqual(['capacity']);
    expect(row()).toMatchObject({ escalated: 0, version: 3 });

    const done = state(4, { status: 'approved', completedAt: '2026-12-03T05:09:00.000Z', steps: [step('credit', { status: 'approved' })] });
    expect(await acts.recordState({ state: done, events: [event('e9', { type: 'order.approved' as NewEvent['type'] })] })).toEqual({ applied: true, logged: 1 });
    expect(inbox()).toEqual([]);
    expect(row()).toMatchObject({ status: 'approved', version: 4 });
    expect(JSON.parse(row()!.state)).toEqual(done);
  });

  it('leaves the columns of the orders row it does not write as they are', async () => {
    await acts.recordState({ state: state(1), events: [] });
    // A column another writer owns (e.g. a later migration's): a newer state must not reset it.
    db.$client.exec(`alter table orders add column owned_elsewhere text`);
    db.$client.prepare(`update orders set owned_elsewhere = 'kept' where order_id = ?`).run(ORDER);
    await acts.recordState({ state: state(2, { status: 'approved', submittedAt: '2030-01-01T00:00:00.000Z' }), events: [] });
    const r = db.$client.prepare('select owned_elsewhere, status, submitted_at from orders where order_id = ?').get(ORDER);
    // submitted_at is the intake's: the first write sets it, later states do not move it.
    expect(r).toEqual({ owned_elsewhere: 'kept', status: 'approved', submitted_at: '2026-12-03T05:00:00.000Z' });
  });
});
