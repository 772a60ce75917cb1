/**
 * Sends a decision, amendment or cancellation to the order's workflow as an Update and maps the verdict to HTTP.
 * The workflow's validators and handlers are the authority (they throw ApplicationFailures typed with
 * FailureTypes); the API only refuses what it can know for certain from the read model (a finished order).
 */
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
  type WorkflowHandle,
} from '@temporalio/client';
import { TERMINAL_STATUSES, type OrderStatus } from '../../domain/types';
import { FailureTypes, type OrderState, workflowIdFor } from '../../workflows/messages';
import { type HttpProblem, problems } from '../problem';
import { ensureReviewStarted, type IntakeDeps } from './intake';
import { type OrderView, orderViewOf } from './fulfilment';
import { findOrder, type OrderRecord } from './orders';

/** How long a request waits for the workflow to apply an Update before answering 504. */
export const UPDATE_DEADLINE_MS = 30_000;

const CONFLICT_TYPES: readonly string[] = [
  FailureTypes.notAwaiting,
  FailureTypes.orderFinished,
  FailureTypes.invalidTransition,
  FailureTypes.revisionLimit,
  FailureTypes.claimed,
];

function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.includes(status as OrderStatus);
}

/** The HTTP verdict for an Update that did not succeed, or undefined when it is not a known refusal. */
function problemFromUpdateError(err: unknown, deps: IntakeDeps, orderId: string): HttpProblem | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const { type, message } = err.cause;
    if (type === FailureTypes.forbidden) return problems.forbidden(message);
    if (type && CONFLICT_TYPES.includes(type)) return problems.conflict(message);
    // The server's answer when the workflow closed while the Update was in flight.
    if (type === 'AcceptedUpdateCompletedWorkflow') return problems.conflict(`order ${orderId} finished before the request took effect`);
    return undefined;
  }
  if (err instanceof WorkflowNotFoundError) {
    // The review closed (or was never started): the read model says which.
    const row = findOrder(deps.db, orderId);
    if (row && isTerminal(row.status)) return problems.conflict(`order is ${row.status}`);
    return problems.notFound(`order ${orderId} has no running review`);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) {
    return problems.gatewayTimeout(
      'the order review did not answer in time; the request may still take effect — retry with the same Idempotency-Key to get its result',
    );
  }
  return undefined;
}

export interface UpdateRequest {
  row: OrderRecord;
  /**
   * The state to answer with when this request repeats one that already took effect (same Idempotency-Key), even
   * after the order ended: a client retrying after a timeout gets the first result, not a refusal.
   */
  alreadyApplied?(): OrderState | undefined;
  /** Sends the Update; gets the order's workflow handle. */
  send(handle: WorkflowHandle): Promise<OrderState>;
  /** Called with every refusal (403/409), e.g. to keep it for the audit. */
  onRefused?(status: number, reason: string): void;
  /**
   * Whether the read model shows the step this Update needs as awaiting. A "not reached yet" refusal then means the
   * workflow is behind its own read model: a worker wrote the read model from inside a workflow task and died
   * before the task completed, and its replacement is re-running it. Such a refusal is retried briefly.
   */
  awaitingInReadModel?(): boolean;
}

/** How long a "not reached yet" refusal is retried while the read model shows the step awaiting (a replaying worker). */
export const BEHIND_RETRY_MS = 5_000;
const BEHIND_RETRY_INTERVAL_MS = 200;

/** A refusal because the step has not reached its human wait yet (workflows/refusals.ts, notAwaitingDetails). */
function isNotReached(err: unknown): boolean {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return false;
  const details = err.cause.details?.[0] as { notReached?: boolean } | undefined;
  return err.cause.type === FailureTypes.notAwaiting && details?.notReached === true;
}

/**
 * Sends the Update and answers with the order view once it took effect (the review's state, with its fulfilment and
 * planned completion date: api/services/fulfilment.ts).
 */
export async function applyOrderUpdate(deps: IntakeDeps, req: UpdateRequest): Promise<OrderView> {
  const { row } = req;
  const refuse = (p: HttpProblem): HttpProblem => {
    if (p.status === 403 || p.status === 409) req.onRefused?.(p.status, p.message);
    return p;
  };
  if (isTerminal(row.status)) {
    const earlier = req.alreadyApplied?.();
    if (earlier) return orderViewOf(deps.db, earlier);
    throw refuse(problems.conflict(`order is ${row.status}`));
  }
  // An order whose start a crash interrupted gets its review now instead of a confusing "not found".
  if (row.intake) await ensureReviewStarted(deps, row.intake);

  const handle = deps.temporal.workflow.getHandle(workflowIdFor(row.orderId));
  const deadline = Date.now() + UPDATE_DEADLINE_MS;
  const send = async (): Promise<OrderState> => {
    let behindUntil: number | undefined;
    for (;;) {
      try {
        return await deps.temporal.withDeadline(deadline, () => req.send(handle));
      } catch (err) {
        // Refused by a validator, which records nothing: the same Update id may be sent again.
        if (!isNotReached(err) || !req.awaitingInReadModel?.()) throw err;
        behindUntil ??= Date.now() + BEHIND_RETRY_MS;
        if (Date.now() + BEHIND_RETRY_INTERVAL_MS > Math.min(behindUntil, deadline)) throw err;
        await new Promise((r) => setTimeout(r, BEHIND_RETRY_INTERVAL_MS));
      }
    }
  };
  try {
    return orderViewOf(deps.db, await send());
  } catch (err) {
    const problem = problemFromUpdateError(err, deps, row.orderId);
    if (!problem) throw err;
    // The order ended while the retry was on its way (or the Update that ended it is the one being retried).
    if (problem.status === 409) {
      const earlier = req.alreadyApplied?.();
      if (earlier) return orderViewOf(deps.db, earlier);
    }
    if (problem.status >= 500) deps.log.warn({ err, orderId: row.orderId }, 'order update timed out');
    throw refuse(problem);
  }
}
