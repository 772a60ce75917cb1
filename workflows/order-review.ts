/**
 * One order's review: intake, then the policy's stages (the steps of a stage side by side), then the end.
 * Human decisions, amendments and cancellation arrive as Updates; the read model is written through an
 * activity after every change, and each Update answers once its effect is recorded there.
 */
import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import { changedSteps, KEEPABLE } from '../domain/re-review';
import type { StepId } from '../domain/types';
import { registerHandlers } from './handlers';
import { searchIndex } from './search-index';
import type { OrderReviewInput, Outcome, StepView } from './messages';
import { Review, nowIso } from './review';
import { acts, runStep, StageControl, type StageEnd } from './steps';

type RevisionResult = { kind: 'approved' } | { kind: 'interrupted' } | StageEnd;

/** The step results an amendment to `next` keeps: passed, and none of their inputs changed. */
function keptSteps(r: Review, next: OrderReviewInput['order']): StepView[] {
  const rerun = changedSteps(r.order, next);
  return [...r.steps.values()]
    .filter((s) => s.step !== 'intake' && !rerun.has(s.step as never) && KEEPABLE.includes(s.status))
    .map((s) => ({ ...s, keptFromRevision: s.keptFromRevision ?? r.revision }));
}

/** Reviews one order from submission to approved, rejected, cancelled or expired. */
export async function orderReviewWorkflow(input: OrderReviewInput): Promise<Outcome> {
  const r = new Review(input);
  registerHandlers(r);
  const index = searchIndex(input, r);

  // The recorder writes the read model when the workflow comes to rest with changes since the last write:
  // every state a caller can observe (waiting for a person, or ended) is written before an Update answers,
  // and the transient states in between (checks running) cost no write. Changes made during a write are
  // batched into the next one.
  const recorder = async () => {
    for (;;) {
      await condition(() => r.dirty && r.atRest());
      r.dirty = false;
      r.recording = true;
      const events = r.unrecorded;
      r.unrecorded = [];
      index.update();
      await acts.recordState({ state: r.view(), events });
      r.recording = false;
    }
  };
  void recorder();

  async function runStage(stage: readonly StepId[]): Promise<StageEnd | null> {
    const ctl = new StageControl(r);
    await Promise.all(
      stage.map(async (step) => {
        if (step === 'intake') return;
        r.live.add(step);
        try {
          await runStep(r, step, ctl);
        } finally {
          r.live.delete(step);
        }
      }),
    );
    return ctl.end;
  }

  async function runRevision(): Promise<RevisionResult> {
    const intake = r.step('intake');
    intake.status = 'running';
    r.risk = await acts.assessOrderRisk({ order: r.order, calendar: r.policy.calendar });
    intake.status = 'auto_approved';
    const total = r.view().order.total;
    if (r.revision === 1) {
      const { currency, customerId, channel, priority } = r.order;
      r.touch({
        type: 'order.submitted',
        step: 'intake',
        actor: r.submittedBy,
        data: { revision: r.revision, total, currency, customerId, channel, priority, risk: r.risk },
      });
    } else {
      r.touch({ type: 'order.check_completed', step: 'intake', actor: 'system', data: { outcome: 'auto_approved', findings: [], total, risk: r.risk } });
    }
    for (const stage of r.policy.stages) {
      if (r.interrupted) return { kind: 'interrupted' };
      const end = await runStage(stage);
      if (r.interrupted) return { kind: 'interrupted' };
      if (end) return end;
    }
    return { kind: 'approved' };
  }

  async function release(reason: string, keep: ('materials' | 'capacity')[] = []): Promise<void> {
    const res = await acts.releaseHolds({ orderId: r.orderId, revision: r.revision, reason, ...(keep.length ? { keep } : {}) });
    if (res.reservations + res.bookings > 0) {
      r.touch({ type: 'order.holds_released', step: null, actor: 'system', data: { reason, ...res } });
    }
  }

  let result = await runRevision();
  for (;;) {
    if (r.pendingCancel) {
      const { reason, actor, updateId } = r.pendingCancel;
      await release('cancelled');
      r.finish('cancelled', null, reason, actor.id, updateId ? { updateId } : {});
      break;
    }
    if (r.pendingAmendment) {
      const { order, actor, updateId } = r.pendingAmendment;
      // reReview "changed": the steps whose inputs did not change keep their result and their holds. Orders started
      // before the policy had reReview (and the "all" policy) review everything again, as they always did.
      const kept = r.policy.reReview === 'changed' && patched('re-review-changed') ? keptSteps(r, order) : [];
      await release('amended', kept.flatMap((s) => (s.step === 'materials' || s.step === 'capacity' ? [s.step] : [])));
      r.revision += 1;
      r.order = order;
      r.status = 'in_review';
      r.risk = null;
      r.resetSteps(kept);
      r.pendingAmendment = null;
      r.touch({
        type: 'order.amended',
        step: null,
        actor: actor.id,
        data: { revision: r.revision, total: r.view().order.total, ...(updateId ? { updateId } : {}) },
      });
      result = await runRevision();
      continue;
    }
    if (result.kind === 'changes_requested') {
      r.status = 'changes_requested';
      r.touch({
        type: 'order.changes_requested',
        step: result.step,
        actor: r.step(result.step).decision?.by ?? 'system',
        data: { step: result.step, comment: result.reason },
      });
      r.awaitingAmendment = true;
      const interrupted = await condition(() => r.interrupted, r.policy.changesRequestedTimeoutMs);
      r.awaitingAmendment = false;
      if (interrupted) continue;
      await release('expired');
      r.finish('expired', result.step, 'no amendment arrived after changes were requested');
      break;
    }
    if (result.kind === 'approved') {
      const final = r.step('final_approval');
      r.finish('approved', 'final_approval', final.decision ? `approved by ${final.decision.by}` : 'approved automatically');
      break;
    }
    if (result.kind === 'interrupted') continue; // an interrupt is always pending here; handled above
    await release(result.kind);
    r.finish(result.kind, result.step, result.reason);
    break;
  }

  // Let every Update answer, and the final state reach the read model, before the workflow closes.
  await condition(() => !r.dirty && !r.recording && allHandlersFinished());
  return r.outcome ?? { status: r.status, step: null, reason: 'ended', at: nowIso() };
}
