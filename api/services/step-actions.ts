/**
 * What an approver does to a waiting step — decide it, claim it, release it, hand it over — as one function each,
 * shared by the single routes and the bulk endpoint. The workflow is the authority (its validators refuse with typed
 * failures); here the caller becomes an actor (its own departments plus delegated ones) and a refusal is logged.
 */
import { randomUUID } from 'node:crypto';
import type { Principal } from '../../db/principals';
import { STEP_DEPARTMENT, type DecisionKind, type StepId } from '../../domain/types';
import {
  assignUpdate,
  claimUpdate,
  decideUpdate,
  type OrderState,
  recheckUpdate,
  unclaimUpdate,
} from '../../workflows/messages';
import { problems } from '../problem';
import { departmentsOf } from '../roles';
import { effectiveActor } from './delegation';
import type { IntakeDeps } from './intake';
import type { OrderView } from './fulfilment';
import { applyOrderUpdate } from './order-updates';
import { findOrder, recordRefusedDecision, stateAfterUpdate } from './orders';
import { findPrincipalById } from '../../db/principals';

export interface StepActionDeps extends IntakeDeps {
  /** Called after the API logged an event (a refusal), so the relays carry it at once. */
  onLogged?: () => void;
}

/** An Update id from the caller's Idempotency-Key (scoped to the caller), or a fresh one. */
export function updateIdFor(kind: string, principal: Principal, key: string | undefined): string {
  return key ? `${kind}:${principal.id}:${key}` : randomUUID();
}

function orderOrNotFound(deps: IntakeDeps, orderId: string) {
  const row = findOrder(deps.db, orderId);
  if (!row) throw problems.notFound(`order ${orderId} not found`);
  return row;
}

export interface DecisionRequest {
  orderId: string;
  step: StepId;
  decision: DecisionKind;
  comment: string | null;
  idempotencyKey?: string;
}

/** Decides a step; answers with the order once the decision took effect. Every refusal is logged for the audit. */
export async function decideStep(deps: StepActionDeps, principal: Principal, req: DecisionRequest): Promise<OrderView> {
  const { orderId, step, decision } = req;
  const row = orderOrNotFound(deps, orderId);
  const { actor, onBehalfOf } = effectiveActor(deps.db, principal);
  const dept = STEP_DEPARTMENT[step];
  // As a delegate for this department (not one's own): the decision says for whom.
  const forWhom = dept !== 'system' && !departmentsOf(principal).includes(dept) ? onBehalfOf.get(dept) : undefined;
  const updateId = updateIdFor(`decision:${step}`, principal, req.idempotencyKey);
  return applyOrderUpdate(deps, {
    row,
    alreadyApplied: () => (req.idempotencyKey ? stateAfterUpdate(deps.db, orderId, updateId) : undefined),
    send: (handle) =>
      handle.executeUpdate(decideUpdate, {
        args: [{ step, decision, comment: req.comment, actor, ...(forWhom ? { onBehalfOf: forWhom } : {}) }],
        updateId,
      }),
    onRefused: (status, reason) => {
      recordRefusedDecision(deps.db, { orderId, step, actor: principal.id, status, reason, decision });
      deps.onLogged?.();
    },
    awaitingInReadModel: () => findOrder(deps.db, orderId)?.state.awaiting.includes(step) ?? false,
  });
}

export type ClaimKind = 'claim' | 'unclaim' | 'assign';

/** Claims, releases or hands over a waiting step; answers with the order once the inbox shows it. */
export async function claimStep(
  deps: StepActionDeps,
  principal: Principal,
  req: { orderId: string; step: StepId; kind: ClaimKind; to?: string; idempotencyKey?: string },
): Promise<OrderView> {
  const row = orderOrNotFound(deps, req.orderId);
  const { actor } = effectiveActor(deps.db, principal);
  const updateId = updateIdFor(`${req.kind}:${req.step}`, principal, req.idempotencyKey);
  if (req.kind === 'assign') {
    const target = req.to ? findPrincipalById(deps.db, req.to) : undefined;
    if (!target) throw problems.unprocessable('the colleague to hand the step to is not an active principal', [{ path: 'principalId', message: `no active principal ${req.to}` }]);
    const to = effectiveActor(deps.db, target).actor;
    return applyOrderUpdate(deps, { row, send: (h) => h.executeUpdate(assignUpdate, { args: [{ step: req.step, actor, to }], updateId }) });
  }
  const def = req.kind === 'claim' ? claimUpdate : unclaimUpdate;
  return applyOrderUpdate(deps, { row, send: (h) => h.executeUpdate(def, { args: [{ step: req.step, actor }], updateId }) });
}

/**
 * Runs a waiting step's automatic check again on today's master data (contract section 10): for its department
 * (own or delegated), known for certain here whatever state the order is in; the workflow refuses the rest.
 */
export async function recheckStep(
  deps: StepActionDeps,
  principal: Principal,
  req: { orderId: string; step: StepId; idempotencyKey?: string },
): Promise<OrderView> {
  const row = orderOrNotFound(deps, req.orderId);
  const { actor } = effectiveActor(deps.db, principal);
  const dept = STEP_DEPARTMENT[req.step];
  if (dept !== 'system' && !actor.departments.includes(dept)) throw problems.forbidden(`step ${req.step} is rechecked by ${dept}`);
  const updateId = updateIdFor(`recheck:${req.step}`, principal, req.idempotencyKey);
  return applyOrderUpdate(deps, {
    row,
    alreadyApplied: () => (req.idempotencyKey ? stateAfterUpdate(deps.db, req.orderId, updateId) : undefined),
    send: (h) => h.executeUpdate(recheckUpdate, { args: [{ step: req.step, actor }], updateId }),
  });
}
