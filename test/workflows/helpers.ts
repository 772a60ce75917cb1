/** Starting orders straight on the workflow (no HTTP) and driving them, for workflow scenario tests. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { DecisionKind, NormalisedOrder, ResolvedPolicy, StepId } from '../../domain/types';
import {
  type Actor,
  decideUpdate,
  getOrderStateQuery,
  type OrderState,
  workflowIdFor,
} from '../../workflows/messages';
import { orderReviewWorkflow } from '../../workflows';
import { testPolicy } from '../helpers/fixtures';

export type OrderHandle = WorkflowHandle<typeof orderReviewWorkflow>;

export async function startOrder(
  client: Client,
  taskQueue: string,
  order: NormalisedOrder,
  opts: { policy?: ResolvedPolicy; submittedBy?: string } = {},
): Promise<OrderHandle> {
  return client.workflow.start(orderReviewWorkflow, {
    taskQueue,
    workflowId: workflowIdFor(order.orderId),
    args: [{ order, submittedBy: opts.submittedBy ?? 'shop', submittedAt: new Date().toISOString(), policy: opts.policy ?? testPolicy() }],
  });
}

/** Polls the workflow's query until `pred` holds; fails with the last state seen. */
export async function until(handle: OrderHandle, pred: (s: OrderState) => boolean, timeoutMs = 20_000): Promise<OrderState> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderState | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(getOrderStateQuery);
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not reached; last state: ${JSON.stringify(last && { status: last.status, awaiting: last.awaiting, steps: last.steps.map((s) => `${s.step}:${s.status}`) })}`);
}

export const awaitingOf = (...steps: StepId[]) => (s: OrderState) =>
  steps.length === s.awaiting.length && steps.every((st) => s.awaiting.includes(st));

export function actor(id: string, ...departments: Actor['departments']): Actor {
  return { id, departments };
}

export function decide(handle: OrderHandle, step: StepId, decision: DecisionKind, who: Actor, comment: string | null = null) {
  return handle.executeUpdate(decideUpdate, { args: [{ step, decision, comment, actor: who }] });
}

export const finance = actor('fin-1', 'finance');
export const finance2 = actor('fin-2', 'finance');
export const sales = actor('sales-1', 'sales');
export const production = actor('prod-1', 'production');
export const procurement = actor('proc-1', 'procurement');
export const engineering = actor('eng-1', 'engineering');
export const management = actor('mgmt-1', 'management');
