/**
 * Every message of the order review workflow and its payload types, shared by the workflow and the API.
 * Each constant's name is its wire name.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Decision,
  DecisionKind,
  Department,
  Finding,
  NormalisedOrder,
  OrderStatus,
  Priority,
  ResolvedPolicy,
  RiskAssessment,
  StepId,
  StepStatus,
} from '../domain/types';
import type { CheckEvidence } from '../domain/evidence';
import type { PublicOrder } from '../domain/order';

export const WORKFLOW_TYPE = 'orderReviewWorkflow';

/** Temporal workflow id of an order: one workflow per orderId. */
export function workflowIdFor(orderId: string): string {
  return `order-${orderId}`;
}

export interface Actor {
  id: string;
  /** The departments the principal approves for (from its `approver:<department>` roles). */
  departments: Department[];
}

export interface OrderReviewInput {
  order: NormalisedOrder;
  submittedBy: string;
  /** ISO timestamp of the HTTP submission. */
  submittedAt: string;
  policy: ResolvedPolicy;
  /**
   * The namespace has the product's search attributes registered (the API checked at start): the workflow keeps
   * them up to date. Absent in orders started before search attributes existed.
   */
  searchAttributes?: boolean;
}

export interface StepView {
  step: StepId;
  department: Department | 'system';
  status: StepStatus;
  findings: Finding[];
  dueAt: string | null;
  waitingSince: string | null;
  escalated: boolean;
  decision: Decision | null;
  /** The revision whose result this step keeps: an amendment did not change its inputs (contract section 12). */
  keptFromRevision?: number | null;
  /** The approver who claimed the waiting step (contract section 12); others' decisions are refused meanwhile. */
  claimedBy?: string | null;
  claimedAt?: string | null;
  /**
   * What the step's automatic check decided on (section 10): master-data versions and figures. Null before the check
   * ran and for checks on the order alone; absent in states written before v1.1.
   */
  evidence?: CheckEvidence | null;
}

export interface Outcome {
  status: OrderStatus;
  step: StepId | null;
  reason: string;
  at: string;
}

/** The order as the contract shows it (GET /v1/orders/{orderId}). */
export interface OrderState {
  orderId: string;
  status: OrderStatus;
  revision: number;
  priority: Priority;
  customerId: string;
  submittedBy: string;
  submittedAt: string;
  updatedAt: string;
  completedAt: string | null;
  order: PublicOrder;
  risk: RiskAssessment | null;
  steps: StepView[];
  awaiting: StepId[];
  outcome: Outcome | null;
  /** The review plan of the policy this order captured, intake first: the steps of one stage run side by side. */
  stages: StepId[][];
  /** Grows with every change the workflow records; the read model keeps the highest. */
  version: number;
}

export interface DecideInput {
  step: StepId;
  decision: DecisionKind;
  comment: string | null;
  actor: Actor;
  /** When the actor decides as someone's delegate: that someone (segregation of duties still binds the actor). */
  onBehalfOf?: string;
}

export interface ClaimInput {
  step: StepId;
  actor: Actor;
}

export interface AssignInput {
  step: StepId;
  actor: Actor;
  /** The colleague the step is handed to (the API checked it is an active approver of the step's department). */
  to: Actor;
}

export interface AmendInput {
  order: NormalisedOrder;
  actor: Actor;
}

export interface RecheckInput {
  step: StepId;
  actor: Actor;
}

export interface CancelInput {
  reason: string;
  actor: Actor;
}

/**
 * ApplicationFailure types the update validators and handlers throw; the API maps them to HTTP statuses
 * (FORBIDDEN → 403, NOT_AWAITING / ORDER_FINISHED / REVISION_LIMIT / INVALID_TRANSITION / CLAIMED → 409).
 */
export const FailureTypes = {
  forbidden: 'FORBIDDEN',
  notAwaiting: 'NOT_AWAITING',
  orderFinished: 'ORDER_FINISHED',
  revisionLimit: 'REVISION_LIMIT',
  invalidTransition: 'INVALID_TRANSITION',
  claimed: 'CLAIMED',
} as const;

/** A department decides one awaiting step. Answers with the order once the decision took effect. */
export const decideUpdate = defineUpdate<OrderState, [DecideInput]>('decideUpdate');
/** The submitter replaces the order with a new revision; the review restarts from info_check. */
export const amendUpdate = defineUpdate<OrderState, [AmendInput]>('amendUpdate');
/**
 * The step's department runs its automatic check again on today's master data (finance raised the limit). If it now
 * passes, the step is auto_approved (with the hold made, for capacity and materials) and the review goes on;
 * otherwise the step keeps waiting with the new findings. Answers once the effect is recorded.
 */
export const recheckUpdate = defineUpdate<OrderState, [RecheckInput]>('recheckUpdate');
/** Ends the review as cancelled and releases holds. */
export const cancelUpdate = defineUpdate<OrderState, [CancelInput]>('cancelUpdate');
/** An approver of the step's department takes a waiting step: others' decisions on it are refused until released. */
export const claimUpdate = defineUpdate<OrderState, [ClaimInput]>('claimUpdate');
/** The claimer (or management) releases a claim. */
export const unclaimUpdate = defineUpdate<OrderState, [ClaimInput]>('unclaimUpdate');
/** Management, or the claimer, hands a waiting step to a colleague of the same department. */
export const assignUpdate = defineUpdate<OrderState, [AssignInput]>('assignUpdate');
/** The order as the contract shows it. */
export const getOrderStateQuery = defineQuery<OrderState>('getOrderStateQuery');
