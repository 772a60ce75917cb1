/**
 * Why a decision, an amendment or a cancellation may not happen now: each answer is the typed ApplicationFailure
 * the API maps to 403 or 409. Used by the Update validators (a caller is refused before anything is recorded) and
 * again by the handlers (two Updates validated in the same task may race; the first wins).
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { STEP_DEPARTMENT } from '../domain/types';
import type { OrderStatus } from '../domain/types';
import { type Actor, type DecideInput, FailureTypes, type StepView } from './messages';
import type { Review } from './review';
import { isTerminal } from './state';

/**
 * The handler's second look, after the Update was made durable (handlers.ts): another decision accepted with it may
 * have decided the step meanwhile, and ended the order. The caller hears what happened to the step (as it did when
 * both were applied in one task), not only that the order ended.
 */
export function refuseRacedDecision(r: Review, input: DecideInput): ApplicationFailure | null {
  const s = r.steps.get(input.step);
  if (s?.decision && isTerminal(r.status)) return fail(FailureTypes.notAwaiting, notAwaitingReason(s, r.status), notAwaitingDetails(s));
  return refuseDecision(r, input);
}

/** Why `input` may not be decided now, as the ApplicationFailure the API maps to 403 or 409. */
export function refuseDecision(r: Review, input: DecideInput): ApplicationFailure | null {
  const { step, actor } = input;
  if (isTerminal(r.status)) return fail(FailureTypes.orderFinished, `order is ${r.status}`);
  const s = r.steps.get(step);
  if (!s || step === 'intake') return fail(FailureTypes.notAwaiting, `step ${step} is not decided by a department`);
  const dept = STEP_DEPARTMENT[step];
  const mayDecide =
    (dept !== 'system' && actor.departments.includes(dept)) || (s.escalated && actor.departments.includes('management'));
  if (!mayDecide) {
    return fail(FailureTypes.forbidden, `step ${step} is decided by ${dept}${s.escalated ? ' or management (escalated)' : ''}`);
  }
  if (r.policy.segregationOfDuties) {
    if (actor.id === r.submittedBy) {
      return fail(FailureTypes.forbidden, `segregation of duties: ${actor.id} submitted this order`);
    }
    const other = r.deciders.get(actor.id);
    if (other !== undefined && other !== step) {
      return fail(FailureTypes.forbidden, `segregation of duties: ${actor.id} already decided step ${other} of this order`);
    }
  }
  if (r.interrupted) {
    return fail(FailureTypes.notAwaiting, `order is being ${r.pendingCancel ? 'cancelled' : 'amended'}`);
  }
  if (s.status !== 'awaiting_decision') return fail(FailureTypes.notAwaiting, notAwaitingReason(s, r.status), notAwaitingDetails(s));
  // A claim reserves the step for its claimer; management may still decide (contract section 12).
  if (s.claimedBy && s.claimedBy !== actor.id && !actor.departments.includes('management')) {
    return fail(FailureTypes.claimed, `step ${step} is claimed by ${s.claimedBy} since ${s.claimedAt}; it can be released by them or management`);
  }
  if (input.decision !== 'approve' && !input.comment?.trim()) {
    return fail(FailureTypes.invalidTransition, `a comment is required to ${input.decision}`);
  }
  return null;
}

export function refuseAmendment(r: Review, actor: Actor): ApplicationFailure | null {
  if (actor.id !== r.submittedBy) return fail(FailureTypes.forbidden, 'only the submitter may amend the order');
  if (isTerminal(r.status) || r.pendingCancel) return fail(FailureTypes.orderFinished, `order is ${r.pendingCancel ? 'being cancelled' : r.status}`);
  if (r.pendingAmendment) return fail(FailureTypes.invalidTransition, 'an amendment is already being applied');
  if (r.revision >= r.policy.maxRevisions) {
    return fail(FailureTypes.revisionLimit, `order has reached the maximum of ${r.policy.maxRevisions} revisions`);
  }
  return null;
}

export function refuseCancel(r: Review): ApplicationFailure | null {
  if (isTerminal(r.status)) return fail(FailureTypes.orderFinished, `order is ${r.status}`);
  if (r.pendingCancel) return fail(FailureTypes.orderFinished, 'order is already being cancelled');
  return null;
}

export function fail(type: string, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, ...(details && { details: [details] }) });
}

/**
 * Details of a "not awaiting" refusal: `notReached` when the step has not come to its human wait yet (pending, or
 * its check running) and nobody decided it. The API retries such a refusal briefly when its read model shows the
 * step awaiting: the workflow is then replaying behind what a killed worker already wrote.
 */
export function notAwaitingDetails(s: StepView): { notReached: boolean } {
  return { notReached: !s.decision && (s.status === 'pending' || s.status === 'running') };
}

export function notAwaitingReason(s: StepView, status: OrderStatus): string {
  if (s.decision) return `step ${s.step} was already decided (${s.decision.decision}) by ${s.decision.by} at ${s.decision.at}`;
  switch (s.status) {
    case 'pending':
      return status === 'changes_requested'
        ? `step ${s.step} is not awaiting a decision: changes were requested`
        : `step ${s.step} has not been reached yet`;
    case 'running':
      return `step ${s.step} is still running its automatic check`;
    case 'auto_approved':
      return `step ${s.step} was approved automatically`;
    default:
      return `step ${s.step} is ${s.status}`;
  }
}
