/**
 * The console's rule for which steps it offers (api/console/public/permissions.js): the same rules the review
 * applies, as far as the order view shows them. The browser tests check the page; this checks the cases.
 */
import { describe, expect, it } from 'vitest';
import { awaitingChoices } from '../../api/console/public/permissions.js';

type Order = Parameters<typeof awaitingChoices>[0];
type Step = Order['steps'][number];
type Me = NonNullable<Parameters<typeof awaitingChoices>[1]>;

const DEPARTMENT: Record<string, string> = {
  intake: 'system', info_check: 'sales', credit: 'finance', capacity: 'production', materials: 'procurement',
  special_requirements: 'engineering', final_approval: 'management',
};

function step(id: Step['step'], status: Step['status'], extra: Partial<Step> = {}): Step {
  return { step: id, department: DEPARTMENT[id]!, status, findings: [], dueAt: null, waitingSince: null, escalated: false, decision: null, ...extra };
}

function order(steps: Step[], extra: Partial<Order> = {}): Order {
  return {
    orderId: 'PO-1', status: 'in_review', revision: 1, priority: 'normal', customerId: 'C-1', submittedBy: 'shop',
    submittedAt: '2026-06-01T00:00:00Z', updatedAt: '2026-06-01T00:00:00Z', completedAt: null,
    order: {} as Order['order'], risk: null, steps, stages: [], awaiting: [], outcome: null, ...extra,
  };
}

const me = (id: string, ...departments: string[]): Me => ({ id, name: id, roles: departments.map((d) => `approver:${d}`), departments, delegations: [] });
const decided = (by: string): Step['decision'] => ({ decision: 'approve', by, at: '2026-06-01T01:00:00Z', comment: null });
/** The steps offered, and the reasons given for the others. */
const offer = (o: Order, who: Me | null) => {
  const choices = awaitingChoices(o, who);
  return { offered: choices.filter((c) => c.reason === null).map((c) => c.step.step), reasons: choices.flatMap((c) => (c.reason ? [c.reason] : [])) };
};

describe('awaitingChoices', () => {
  const parallel = order([
    step('credit', 'awaiting_decision'),
    step('materials', 'awaiting_decision'),
    step('special_requirements', 'awaiting_decision'),
    step('capacity', 'auto_approved'),
  ]);

  it("offers only the principal's own department's awaiting steps, and says who decides the others", () => {
    expect(offer(parallel, me('pia', 'procurement'))).toEqual({
      offered: ['materials'],
      reasons: ['Credit waits for Finance.', 'Special requirements waits for Engineering.'],
    });
    expect(offer(parallel, me('multi', 'finance', 'engineering')).offered).toEqual(['credit', 'special_requirements']);
    expect(offer(parallel, me('pat', 'production')).offered).toEqual([]); // capacity passed on its own
  });

  it('management decides escalated steps too, and its own final approval', () => {
    const escalated = order([step('credit', 'awaiting_decision', { escalated: true }), step('materials', 'awaiting_decision')]);
    expect(offer(escalated, me('mia', 'management'))).toEqual({ offered: ['credit'], reasons: ['Materials waits for Procurement.'] });
    expect(offer(order([step('final_approval', 'awaiting_decision')]), me('mia', 'management')).offered).toEqual(['final_approval']);
    expect(offer(escalated, me('sam', 'sales')).reasons).toContain('Credit waits for Finance or management (escalated).');
  });

  it('segregation of duties: after approving credit, finance is offered nothing else (also not as management)', () => {
    const afterCredit = order([step('credit', 'approved', { decision: decided('fin-1') }), step('final_approval', 'awaiting_decision', { escalated: true })]);
    expect(offer(afterCredit, me('fin-1', 'finance', 'management'))).toEqual({
      offered: [],
      reasons: ['Final approval: you decided credit of this order, and one person decides at most one step of an order (segregation of duties).'],
    });
    expect(offer(afterCredit, me('fin-1', 'finance')).reasons).toEqual(['Final approval waits for Management.']);
    expect(offer(afterCredit, me('mia', 'management')).offered).toEqual(['final_approval']);
  });

  it('segregation of duties: nobody decides an order they submitted', () => {
    const o = order([step('credit', 'awaiting_decision')], { submittedBy: 'fin-1' });
    expect(offer(o, me('fin-1', 'finance')).reasons).toEqual(['Credit: you submitted this order, so someone else decides it (segregation of duties).']);
  });

  it('offers nothing on an order that is not in review, or before the principal is known', () => {
    expect(offer(order([step('credit', 'awaiting_decision')], { status: 'changes_requested' }), me('f', 'finance'))).toEqual({ offered: [], reasons: [] });
    expect(offer(parallel, null).offered).toEqual([]);
  });

  it('a delegate decides the away colleague’s department, on their behalf, while the delegation lasts', () => {
    const o = order([step('credit', 'awaiting_decision'), step('materials', 'awaiting_decision')]);
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const pat: Me = { ...me('pat', 'production'), delegations: [{ from: 'fin-2', to: 'pat', until, departments: ['finance'] }] };
    const choices = awaitingChoices(o, pat);
    expect(choices.map((c) => [c.step.step, c.reason, c.onBehalfOf])).toEqual([
      ['credit', null, 'fin-2'],
      ['materials', 'Materials waits for Procurement.', null],
    ]);
    // The delegator's own view of the delegation, and one that ended, give nothing extra.
    const away: Me = { ...me('fin-2', 'finance'), delegations: [{ from: 'fin-2', to: 'pat', until, departments: ['finance'] }] };
    expect(awaitingChoices(o, away).find((c) => c.step.step === 'credit')).toMatchObject({ reason: null, onBehalfOf: null });
    const ended: Me = { ...pat, delegations: [{ from: 'fin-2', to: 'pat', until: new Date(Date.now() - 1000).toISOString(), departments: ['finance'] }] };
    expect(offer(o, ended).offered).toEqual([]);
  });

  it('a step a colleague claimed is not offered (management may still decide it); one’s own claim is', () => {
    const o = order([step('credit', 'awaiting_decision', { claimedBy: 'fin-2', escalated: true })]);
    expect(offer(o, me('fin-1', 'finance')).reasons).toEqual([
      'Credit is claimed by fin-2: they decide it, unless they release it or hand it to you (or management does).',
    ]);
    expect(offer(o, me('fin-2', 'finance')).offered).toEqual(['credit']);
    expect(offer(o, me('mia', 'management')).offered).toEqual(['credit']);
  });
});
