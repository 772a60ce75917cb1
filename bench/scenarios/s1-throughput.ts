/** S1: clean orders through POST /v1/orders until approved, against the bare workflow with the same activities. */
import { randomUUID } from 'node:crypto';
import { workflowIdFor } from '../../workflows/messages';
import { closedLoop } from '../lib/load';
import { type Stack, http, orderBody } from '../lib/stack';
import { median, round } from '../lib/stats';

export async function submitAndAwaitApproval(stack: Stack): Promise<void> {
  const body = orderBody('clean');
  const res = await http<{ status: string }>('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
  if (res.status !== 201) throw new Error(`submit → ${res.status} ${JSON.stringify(res.body)}`);
  const outcome = (await stack.client.workflow.getHandle(workflowIdFor(body.orderId)).result()) as { status: string };
  if (outcome.status !== 'approved') throw new Error(`clean order ended ${outcome.status}`);
}

/** The activity batches of a clean order, read from a real history: what the bare workflow must mirror. */
export async function cleanOrderShape(stack: Stack): Promise<number[]> {
  const body = orderBody('clean');
  await http('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
  const handle = stack.client.workflow.getHandle(workflowIdFor(body.orderId));
  await handle.result();
  const history = await handle.fetchHistory();
  const batches = new Map<string, number>();
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) continue;
    const key = String(a.workflowTaskCompletedEventId);
    batches.set(key, (batches.get(key) ?? 0) + 1);
  }
  return [...batches.values()];
}

export async function runS1(stack: Stack, bareQueue: string, opts: { concurrency: number; seconds: number }) {
  const shape = await cleanOrderShape(stack);
  const warm = Math.min(3, opts.seconds / 3) * 1000;
  await closedLoop(opts.concurrency, warm, () => submitAndAwaitApproval(stack));
  const product = await closedLoop(opts.concurrency, opts.seconds * 1000, () => submitAndAwaitApproval(stack));
  const bareOnce = async () => {
    await stack.client.workflow.execute('bareWorkflow', { taskQueue: bareQueue, workflowId: `bare-${randomUUID()}`, args: [shape] });
  };
  await closedLoop(opts.concurrency, warm, bareOnce);
  const bare = await closedLoop(opts.concurrency, opts.seconds * 1000, bareOnce);
  const productRate = product.completed / product.seconds;
  const bareRate = bare.completed / bare.seconds;
  return {
    shape,
    activitiesPerOrder: shape.reduce((a, b) => a + b, 0),
    concurrency: opts.concurrency,
    productOrdersPerSec: round(productRate),
    bareWorkflowsPerSec: round(bareRate),
    ratio: round(productRate / bareRate),
    productMedianMs: round(median(product.latenciesMs)),
    bareMedianMs: round(median(bare.latenciesMs)),
    failed: product.failed + bare.failed,
    firstError: product.firstError ?? bare.firstError,
  };
}
