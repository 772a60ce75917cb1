/**
 * The order view the contract shows, built from plain data. Pure (no workflow APIs), so the API can build
 * the state of an order whose workflow has not run yet with the same code the workflow uses.
 */
import { toPublicOrder } from '../domain/order';
import { STEP_DEPARTMENT, STEP_IDS, TERMINAL_STATUSES } from '../domain/types';
import type { OrderStatus, ResolvedPolicy, StepId } from '../domain/types';
import type { OrderReviewInput, OrderState, StepView } from './messages';

export function pendingStep(step: StepId): StepView {
  return {
    step,
    department: STEP_DEPARTMENT[step],
    status: 'pending',
    findings: [],
    dueAt: null,
    waitingSince: null,
    escalated: false,
    decision: null,
    keptFromRevision: null,
    claimedBy: null,
    claimedAt: null,
    evidence: null,
  };
}

/** The state of a just-submitted order, before its workflow ran a single step. */
export function initialOrderState(input: OrderReviewInput): OrderState {
  return {
    orderId: input.order.orderId,
    status: 'in_review',
    revision: 1,
    priority: input.order.priority,
    customerId: input.order.customerId,
    submittedBy: input.submittedBy,
    submittedAt: input.submittedAt,
    updatedAt: input.submittedAt,
    completedAt: null,
    order: toPublicOrder(input.order),
    risk: null,
    steps: STEP_IDS.map(pendingStep),
    awaiting: [],
    outcome: null,
    stages: reviewPlan(input.policy),
    version: 0,
  };
}

/** The order's review plan: intake, then the stages of the policy it captured. */
export function reviewPlan(policy: Pick<ResolvedPolicy, 'stages'>): StepId[][] {
  return [['intake'], ...policy.stages.map((stage) => [...stage])];
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
