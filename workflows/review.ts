/**
 * The workflow's in-memory review state: the order view, who decided what, and pending interrupts.
 * Every change goes through `touch`, which bumps the version and queues audit events for the read model.
 */
import { ApplicationFailure, uuid4 } from '@temporalio/workflow';
import type { EventType, NewEvent } from '../domain/events';
import { toPublicOrder } from '../domain/order';
import { STEP_DEPARTMENT, STEP_IDS } from '../domain/types';
import type { NormalisedOrder, OrderStatus, ResolvedPolicy, RiskAssessment, StepId } from '../domain/types';
import {
  type Actor,
  type CancelInput,
  type DecideInput,
  FailureTypes,
  type OrderReviewInput,
  type OrderState,
  type Outcome,
  type StepView,
} from './messages';
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
  /** Bumped by `touch`; the recorder writes when it is ahead of what was written. */
  dirty = false;

  constructor(input: OrderReviewInput) {
    this.orderId = input.order.orderId;
    this.submittedBy = input.submittedBy;
    this.submittedAt = input.submittedAt;
    this.policy = input.policy;
    this.order = input.order;
    this.updatedAt = input.submittedAt;
    this.resetSteps();
  }

  resetSteps(): void {
    this.steps = new Map(STEP_IDS.map((s) => [s, pendingStep(s)]));
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

  /** Why `input` may not be decided now, as the ApplicationFailure the API maps to 403 or 409. */
  refuseDecision(input: DecideInput): ApplicationFailure | null {
    const { step, actor } = input;
    if (isTerminal(this.status)) return fail(FailureTypes.orderFinished, `order is ${this.status}`);
    const s = this.steps.get(step);
    if (!s || step === 'intake') return fail(FailureTypes.notAwaiting, `step ${step} is not decided by a department`);
    const dept = STEP_DEPARTMENT[step];
    const mayDecide =
      (dept !== 'system' && actor.departments.includes(dept)) || (s.escalated && actor.departments.includes('management'));
    if (!mayDecide) {
      return fail(FailureTypes.forbidden, `step ${step} is decided by ${dept}${s.escalated ? ' or management (escalated)' : ''}`);
    }
    if (this.policy.segregationOfDuties) {
      if (actor.id === this.submittedBy) {
        return fail(FailureTypes.forbidden, `segregation of duties: ${actor.id} submitted this order`);
      }
      const other = this.deciders.get(actor.id);
      if (other !== undefined && other !== step) {
        return fail(FailureTypes.forbidden, `segregation of duties: ${actor.id} already decided step ${other} of this order`);
      }
    }
    if (this.interrupted) {
      return fail(FailureTypes.notAwaiting, `order is being ${this.pendingCancel ? 'cancelled' : 'amended'}`);
    }
    if (s.status !== 'awaiting_decision') return fail(FailureTypes.notAwaiting, notAwaitingReason(s, this.status));
    if (input.decision !== 'approve' && !input.comment?.trim()) {
      return fail(FailureTypes.invalidTransition, `a comment is required to ${input.decision}`);
    }
    return null;
  }

  refuseAmendment(actor: Actor): ApplicationFailure | null {
    if (actor.id !== this.submittedBy) return fail(FailureTypes.forbidden, 'only the submitter may amend the order');
    if (isTerminal(this.status) || this.pendingCancel) return fail(FailureTypes.orderFinished, `order is ${this.pendingCancel ? 'being cancelled' : this.status}`);
    if (this.pendingAmendment) return fail(FailureTypes.invalidTransition, 'an amendment is already being applied');
    if (this.revision >= this.policy.maxRevisions) {
      return fail(FailureTypes.revisionLimit, `order has reached the maximum of ${this.policy.maxRevisions} revisions`);
    }
    return null;
  }

  refuseCancel(): ApplicationFailure | null {
    if (isTerminal(this.status)) return fail(FailureTypes.orderFinished, `order is ${this.status}`);
    if (this.pendingCancel) return fail(FailureTypes.orderFinished, 'order is already being cancelled');
    return null;
  }
}

function fail(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
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
