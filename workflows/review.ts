/**
 * The workflow's in-memory review state: the order view, who decided what, pending interrupts, and whether the
 * review is at rest (so the read model may be written and Updates may answer). Every change goes through `touch`,
 * which bumps the version and queues the events that explain it for the log.
 */
import { log, uuid4 } from '@temporalio/workflow';
import { type EventType, type NewEvent, outcomeEventType } from '../domain/events';
import { toPublicOrder } from '../domain/order';
import { STEP_IDS } from '../domain/types';
import type { NormalisedOrder, OrderStatus, ResolvedPolicy, RiskAssessment, StepId } from '../domain/types';
import type { Actor, CancelInput, DecideInput, OrderReviewInput, OrderState, Outcome, StepView } from './messages';
import { isTerminal, pendingStep, reviewPlan } from './state';

export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/** What a change hands to `touch`: the event without the id, time and revision the review adds. */
export interface EventDraft {
  type: EventType;
  step: StepId | null;
  actor: string;
  data: Record<string, unknown>;
}

export class Review {
  readonly orderId: string;
  readonly submittedBy: string;
  readonly submittedAt: string;
  readonly policy: ResolvedPolicy;
  order: NormalisedOrder;
  revision = 1;
  status: OrderStatus = 'in_review';
  risk: RiskAssessment | null = null;
  steps = new Map<StepId, StepView>();
  outcome: Outcome | null = null;
  completedAt: string | null = null;
  updatedAt: string;
  version = 0;
  /** principal id → the one step it decided (segregation of duties spans revisions). */
  readonly deciders = new Map<string, StepId>();
  /** An accepted amendment or cancellation, with the id of the Update that carried it (for the log). */
  pendingAmendment: { order: NormalisedOrder; actor: Actor; updateId?: string } | null = null;
  pendingCancel: (CancelInput & { updateId?: string }) | null = null;
  /** Events not yet handed to the read model writer. */
  unrecorded: NewEvent[] = [];
  /** Set by `touch`; the recorder writes when there are changes since the last write. */
  dirty = false;
  /** A read-model write is in flight. */
  recording = false;
  /** Steps whose runner is alive in the current stage. */
  readonly live = new Set<StepId>();
  /** The review waits for the submitter's amendment (changes were requested). */
  awaitingAmendment = false;

  constructor(input: OrderReviewInput) {
    this.orderId = input.order.orderId;
    this.submittedBy = input.submittedBy;
    this.submittedAt = input.submittedAt;
    this.policy = input.policy;
    this.order = input.order;
    this.updatedAt = input.submittedAt;
    this.resetSteps();
  }

  /** Every step pending again, except the results an amendment keeps (each says the revision it is from). */
  resetSteps(keep: readonly StepView[] = []): void {
    const kept = new Map(keep.map((s) => [s.step, s]));
    this.steps = new Map(STEP_IDS.map((s) => [s, kept.get(s) ?? pendingStep(s)]));
  }

  step(id: StepId): StepView {
    const s = this.steps.get(id);
    if (!s) throw new Error(`unknown step ${id}`);
    return s;
  }

  /**
   * Records a change: new version, fresh updatedAt, and the events that explain it. Each event's id comes from the
   * workflow's deterministic uuid4, so the same event keeps its id when the workflow replays or its write is retried.
   */
  touch(...events: EventDraft[]): void {
    const at = nowIso();
    this.version += 1;
    this.updatedAt = at;
    for (const e of events) this.unrecorded.push({ id: uuid4(), at, revision: this.revision, ...e });
    this.dirty = true;
  }

  get interrupted(): boolean {
    return this.pendingAmendment !== null || this.pendingCancel !== null;
  }

  view(): OrderState {
    const steps = [...this.steps.values()].map((s) => ({ ...s, findings: [...s.findings] }));
    return {
      orderId: this.orderId,
      status: this.status,
      revision: this.revision,
      priority: this.order.priority,
      customerId: this.order.customerId,
      submittedBy: this.submittedBy,
      submittedAt: this.submittedAt,
      updatedAt: this.updatedAt,
      completedAt: this.completedAt,
      order: toPublicOrder(this.order),
      risk: this.risk,
      steps,
      awaiting: steps.filter((s) => s.status === 'awaiting_decision').map((s) => s.step),
      outcome: this.outcome,
      stages: reviewPlan(this.policy),
      version: this.version,
    };
  }

  /** Records a decision the validator let through (and the handler re-checked). */
  applyDecision(d: DecideInput, updateId: { updateId?: string }): void {
    const s = this.step(d.step);
    const comment = d.comment?.trim() || null;
    s.decision = { decision: d.decision, by: d.actor.id, at: nowIso(), comment, ...(d.onBehalfOf ? { onBehalfOf: d.onBehalfOf } : {}) };
    s.status = d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'changes_requested';
    this.deciders.set(d.actor.id, d.step);
    this.touch({
      type: 'order.step_decided',
      step: d.step,
      actor: d.actor.id,
      data: { decision: d.decision, comment, ...(d.onBehalfOf ? { onBehalfOf: d.onBehalfOf } : {}), ...updateId },
    });
    log.info('decision landed', {
      orderId: this.orderId,
      principal: d.actor.id,
      step: d.step,
      decision: d.decision,
      ...(d.onBehalfOf ? { onBehalfOf: d.onBehalfOf } : {}),
      ...updateId,
    });
  }

  /** Ends the review: every step still open is cancelled (unless approved), the outcome is set and logged. */
  finish(status: OrderStatus, step: StepId | null, reason: string, actor = 'system', extra: Record<string, unknown> = {}): void {
    const at = nowIso();
    for (const s of this.steps.values()) {
      if (status !== 'approved' && ['pending', 'running', 'awaiting_decision'].includes(s.status)) s.status = 'cancelled';
    }
    this.status = status;
    this.completedAt = at;
    this.outcome = { status, step, reason, at };
    const type = outcomeEventType(status);
    if (type) this.touch({ type, step, actor, data: { status, step, reason, ...extra } });
    log.info('order review finished', { orderId: this.orderId, principal: actor, submittedBy: this.submittedBy, status, step, reason });
  }

  /** Nothing left to do until a person acts, an amendment arrives, or ever (the order ended). */
  atRest(): boolean {
    if (isTerminal(this.status) || this.awaitingAmendment) return true;
    return this.live.size > 0 && [...this.live].every((id) => this.step(id).status === 'awaiting_decision');
  }

  /** At rest, and the read model shows it: what an Update waits for before it answers. */
  settled(): boolean {
    return !this.dirty && !this.recording && this.atRest();
  }
}
