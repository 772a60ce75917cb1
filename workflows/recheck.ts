/**
 * Rechecking a waiting step (section 10): its department runs the automatic check again on today's master data. If it
 * passes now, the step is auto_approved exactly as if the first check had passed (capacity and materials make their
 * hold in the same transaction as the check) and the step's runner, which waits for the status to leave
 * awaiting_decision, lets the review go on. If not, the step keeps waiting with the new findings and evidence.
 */
import type { ApplicationFailure } from '@temporalio/workflow';
import { STEP_DEPARTMENT, type ReviewStepId } from '../domain/types';
import { FailureTypes, type RecheckInput } from './messages';
import { fail, notAwaitingReason } from './refusals';
import type { Review } from './review';
import { isTerminal } from './state';
import { runCheck } from './steps';

/** The steps whose automatic check reads master data; the others would decide the same again. */
const RECHECKABLE: readonly ReviewStepId[] = ['info_check', 'credit', 'capacity', 'materials'];

/** Why `input` may not recheck now, as the ApplicationFailure the API maps to 403 or 409; null when it may. */
export function refuseRecheck(r: Review, input: RecheckInput): ApplicationFailure | null {
  const { step, actor } = input;
  if (isTerminal(r.status)) return fail(FailureTypes.orderFinished, `order is ${r.status}`);
  if (!(RECHECKABLE as readonly string[]).includes(step)) {
    return fail(FailureTypes.invalidTransition, `step ${step} has no automatic check on master data to run again`);
  }
  const dept = STEP_DEPARTMENT[step];
  if (dept === 'system' || !actor.departments.includes(dept)) return fail(FailureTypes.forbidden, `step ${step} is rechecked by ${dept}`);
  // Not a decision (the master data decides), but the submitter still keeps its hands off its own order's review.
  if (r.policy.segregationOfDuties && actor.id === r.submittedBy) {
    return fail(FailureTypes.forbidden, `segregation of duties: ${actor.id} submitted this order`);
  }
  if (r.interrupted) return fail(FailureTypes.notAwaiting, `order is being ${r.pendingCancel ? 'cancelled' : 'amended'}`);
  const s = r.step(step);
  if (s.status !== 'awaiting_decision') return fail(FailureTypes.notAwaiting, notAwaitingReason(s, r.status));
  return null;
}

/** Runs the step's check again and applies its result; `updateId` goes into the log (retries find their result). */
export async function recheckStep(r: Review, input: RecheckInput, updateId: string | undefined): Promise<void> {
  const step = input.step as ReviewStepId;
  const { findings, evidence, held } = await runCheck(r, step);
  // Decided, timed out, or ended with its stage or the order while the check ran: this result no longer applies. A hold
  // it made is the one an approval makes anyway (same key), and is released with the rest if the order does not pass.
  const refusal = refuseRecheck(r, input);
  if (refusal) throw refusal;
  const s = r.step(step);
  s.evidence = evidence;
  const data = { findings, ...(evidence ? { evidence } : {}), ...(updateId ? { updateId } : {}) };
  if (findings.length > 0) {
    s.findings = findings;
    r.touch({ type: 'order.step_rechecked', step, actor: input.actor.id, data: { outcome: 'findings', ...data } });
    return;
  }
  s.findings = [];
  s.status = 'auto_approved';
  r.touch(
    { type: 'order.step_rechecked', step, actor: input.actor.id, data: { outcome: 'auto_approved', ...data } },
    ...(held ? [{ type: 'order.holds_reserved' as const, step, actor: 'system', data: { summary: held } }] : []),
  );
}
