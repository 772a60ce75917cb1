/**
 * One order's review: intake, then the policy's stages (the steps of a stage side by side), then the end.
 * Human decisions, amendments and cancellation arrive as Updates; the read model is written through an
 * activity after every change, and each Update answers once its effect is recorded there.
 */
import { allHandlersFinished, condition, currentUpdateInfo, log, setHandler } from '@temporalio/workflow';
import { outcomeEventType } from '../domain/events';
import type { OrderStatus, StepId } from '../domain/types';
import {
  amendUpdate,
  cancelUpdate,
  decideUpdate,
  getOrderStateQuery,
  type OrderReviewInput,
  type Outcome,
  recheckUpdate,
} from './messages';
import { recheckStep, refuseRecheck } from './recheck';
import { Review, nowIso } from './review';
import { isTerminal } from './state';
import { acts, runStep, StageControl, type StageEnd } from './steps';

type RevisionResult = { kind: 'approved' } | { kind: 'interrupted' } | StageEnd;

/**
 * The id of the Update being handled, for the event it causes: a client retrying with the same Idempotency-Key after
 * the order ended is answered from the log instead of being refused.
 */
function withUpdateId(): { updateId?: string } {
  const id = currentUpdateInfo()?.id;
  return id ? { updateId: id } : {};
}

/** Reviews one order from submission to approved, rejected, cancelled or expired. */
export async function orderReviewWorkflow(input: OrderReviewInput): Promise<Outcome> {
  const r = new Review(input);
  /** Steps whose runner is alive in the current stage. */
  const live = new Set<StepId>();
  let awaitingAmendment = false;
  let recording = false;

  /** Nothing left to do until a person acts, an amendment arrives, or ever (the order ended). */
  const atRest = () => {
    if (isTerminal(r.status) || awaitingAmendment) return true;
    return live.size > 0 && [...live].every((id) => r.step(id).status === 'awaiting_decision');
  };
  /** At rest, and the read model shows it: what an Update waits for before it answers. */
  const settled = () => !r.dirty && !recording && atRest();

  // Handlers are registered before the first await so no early message is lost.
  setHandler(getOrderStateQuery, () => r.view());

  setHandler(
    decideUpdate,
    async (d) => {
      // Re-checked here: two updates validated in the same task may race for one step; the first wins.
      const refusal = r.refuseDecision(d);
      if (refusal) throw refusal;
      const s = r.step(d.step);
      const comment = d.comment?.trim() || null;
      s.decision = { decision: d.decision, by: d.actor.id, at: nowIso(), comment };
      s.status = d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'changes_requested';
      r.deciders.set(d.actor.id, d.step);
      r.touch({ type: 'order.step_decided', step: d.step, actor: d.actor.id, data: { decision: d.decision, comment, ...withUpdateId() } });
      await condition(settled);
      return r.view();
    },
    {
      validator: (d) => {
        const refusal = r.refuseDecision(d);
        if (refusal) throw refusal;
      },
    },
  );

  setHandler(
    amendUpdate,
    async (a) => {
      const refusal = r.refuseAmendment(a.actor);
      if (refusal) throw refusal;
      const target = r.revision + 1;
      r.pendingAmendment = { ...a, ...withUpdateId() };
      await condition(() => (r.revision >= target || isTerminal(r.status)) && settled());
      return r.view();
    },
    {
      validator: (a) => {
        const refusal = r.refuseAmendment(a.actor);
        if (refusal) throw refusal;
      },
    },
  );

  // No patched() for rechecks: an Update is recorded in the history of the run it reaches, so a history from before
  // recheckUpdate existed holds none, and this handler never runs while it replays.
  setHandler(
    recheckUpdate,
    async (input) => {
      const { updateId } = withUpdateId();
      const refusal = refuseRecheck(r, input);
      if (refusal) throw refusal;
      await recheckStep(r, input, updateId);
      await condition(settled);
      return r.view();
    },
    {
      validator: (input) => {
        const refusal = refuseRecheck(r, input);
        if (refusal) throw refusal;
      },
    },
  );

  setHandler(
    cancelUpdate,
    async (c) => {
      const refusal = r.refuseCancel();
      if (refusal) throw refusal;
      r.pendingCancel = { ...c, ...withUpdateId() };
      await condition(() => isTerminal(r.status) && settled());
      return r.view();
    },
    {
      validator: (_c) => {
        const refusal = r.refuseCancel();
        if (refusal) throw refusal;
      },
    },
  );

  // The recorder writes the read model when the workflow comes to rest with changes since the last write:
  // every state a caller can observe (waiting for a person, or ended) is written before an Update answers,
  // and the transient states in between (checks running) cost no write. Changes made during a write are
  // batched into the next one.
  const recorder = async () => {
    for (;;) {
      await condition(() => r.dirty && atRest());
      r.dirty = false;
      recording = true;
      const events = r.unrecorded;
      r.unrecorded = [];
      await acts.recordState({ state: r.view(), events });
      recording = false;
    }
  };
  void recorder();

  async function runStage(stage: readonly StepId[]): Promise<StageEnd | null> {
    const ctl = new StageControl(r);
    await Promise.all(
      stage.map(async (step) => {
        if (step === 'intake') return;
        live.add(step);
        try {
          await runStep(r, step, ctl);
        } finally {
          live.delete(step);
        }
      }),
    );
    return ctl.end;
  }

  async function runRevision(): Promise<RevisionResult> {
    const intake = r.step('intake');
    intake.status = 'running';
    r.risk = await acts.assessOrderRisk({ order: r.order });
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

  async function release(reason: string): Promise<void> {
    const res = await acts.releaseHolds({ orderId: r.orderId, revision: r.revision, reason });
    if (res.reservations + res.bookings > 0) {
      r.touch({ type: 'order.holds_released', step: null, actor: 'system', data: { reason, ...res } });
    }
  }

  function finish(status: OrderStatus, step: StepId | null, reason: string, actor = 'system', extra: Record<string, unknown> = {}): void {
    const at = nowIso();
    for (const s of r.steps.values()) {
      if (status !== 'approved' && ['pending', 'running', 'awaiting_decision'].includes(s.status)) s.status = 'cancelled';
    }
    r.status = status;
    r.completedAt = at;
    r.outcome = { status, step, reason, at };
    const type = outcomeEventType(status);
    if (type) r.touch({ type, step, actor, data: { status, step, reason, ...extra } });
    log.info('order review finished', { orderId: r.orderId, status, step, reason });
  }

  let result = await runRevision();
  for (;;) {
    if (r.pendingCancel) {
      const { reason, actor, updateId } = r.pendingCancel;
      await release('cancelled');
      finish('cancelled', null, reason, actor.id, updateId ? { updateId } : {});
      break;
    }
    if (r.pendingAmendment) {
      const { order, actor, updateId } = r.pendingAmendment;
      await release('amended');
      r.revision += 1;
      r.order = order;
      r.status = 'in_review';
      r.risk = null;
      r.resetSteps();
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
      awaitingAmendment = true;
      const interrupted = await condition(() => r.interrupted, r.policy.changesRequestedTimeoutMs);
      awaitingAmendment = false;
      if (interrupted) continue;
      await release('expired');
      finish('expired', result.step, 'no amendment arrived after changes were requested');
      break;
    }
    if (result.kind === 'approved') {
      const final = r.step('final_approval');
      finish('approved', 'final_approval', final.decision ? `approved by ${final.decision.by}` : 'approved automatically');
      break;
    }
    if (result.kind === 'interrupted') continue; // an interrupt is always pending here; handled above
    await release(result.kind);
    finish(result.kind, result.step, result.reason);
    break;
  }

  // Let every Update answer, and the final state reach the read model, before the workflow closes.
  await condition(() => !r.dirty && !recording && allHandlersFinished());
  return r.outcome ?? { status: r.status, step: null, reason: 'ended', at: nowIso() };
}
