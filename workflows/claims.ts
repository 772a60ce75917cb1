/**
 * Claims on waiting steps (contract section 12): an approver of the step's department takes it, so colleagues do not
 * work on it twice; the claimer or management releases it, or hands it to a colleague of the same department.
 * A claim lives as long as the step waits; it is review state, so it lives in the workflow with the decision it guards.
 */
import type { ApplicationFailure } from '@temporalio/workflow';
import { STEP_DEPARTMENT } from '../domain/types';
import { type Actor, type AssignInput, type ClaimInput, FailureTypes } from './messages';
import { fail } from './refusals';
import { type Review, nowIso } from './review';
import { isTerminal } from './state';

export type ClaimAction = { kind: 'claim'; input: ClaimInput } | { kind: 'unclaim'; input: ClaimInput } | { kind: 'assign'; input: AssignInput };

const isManagement = (a: Actor) => a.departments.includes('management');

/** Why the claim action may not happen now, as the failure the API maps to 403 or 409; null when it may. */
export function refuseClaim(r: Review, action: ClaimAction): ApplicationFailure | null {
  const { step, actor } = action.input;
  if (isTerminal(r.status)) return fail(FailureTypes.orderFinished, `order is ${r.status}`);
  const dept = STEP_DEPARTMENT[step];
  const s = r.steps.get(step);
  if (!s || dept === 'system') return fail(FailureTypes.notAwaiting, `step ${step} is not decided by a department`);
  const ofDepartment = actor.departments.includes(dept) || (s.escalated && isManagement(actor));
  if (!ofDepartment) return fail(FailureTypes.forbidden, `step ${step} is handled by ${dept}`);
  if (s.status !== 'awaiting_decision') return fail(FailureTypes.notAwaiting, `step ${step} is not awaiting a decision`);
  switch (action.kind) {
    case 'claim':
      if (s.claimedBy && s.claimedBy !== actor.id) {
        return fail(FailureTypes.claimed, `step ${step} is already claimed by ${s.claimedBy} since ${s.claimedAt}`);
      }
      return null;
    case 'unclaim':
      if (s.claimedBy && s.claimedBy !== actor.id && !isManagement(actor)) {
        return fail(FailureTypes.forbidden, `step ${step} is claimed by ${s.claimedBy}: only they or management may release it`);
      }
      return null;
    case 'assign': {
      if (s.claimedBy !== actor.id && !isManagement(actor)) {
        return fail(FailureTypes.forbidden, `only management or the claimer may hand step ${step} to a colleague`);
      }
      const to = action.input.to;
      if (!to.departments.includes(dept)) return fail(FailureTypes.forbidden, `${to.id} is not an approver of ${dept}`);
      return null;
    }
  }
}

/** Applies a claim action the validator let through; claiming what one already holds changes nothing. */
export function applyClaim(r: Review, action: ClaimAction): void {
  const { step, actor } = action.input;
  const s = r.step(step);
  if (action.kind === 'unclaim') {
    if (!s.claimedBy) return;
    const released = s.claimedBy;
    s.claimedBy = null;
    s.claimedAt = null;
    r.touch({ type: 'order.step_unclaimed', step, actor: actor.id, data: { released } });
    return;
  }
  const holder = action.kind === 'assign' ? action.input.to.id : actor.id;
  if (s.claimedBy === holder) return;
  s.claimedBy = holder;
  s.claimedAt = nowIso();
  r.touch({
    type: 'order.step_claimed',
    step,
    actor: actor.id,
    data: { claimedBy: holder, ...(action.kind === 'assign' ? { assignedBy: actor.id } : {}) },
  });
}
