/** S1: clean orders through POST /v1/orders until approved, against the bare workflow with the same activities. */
import { randomUUID } from 'node:crypto';
import { workflowIdFor } from '../../workflows/messages';
import { closedLoop } from '../lib/load';
import { measureCpu } from '../lib/processes';
import { archiveDrained, type Stack, http, orderBody } from '../lib/stack';
import { median, round } from '../lib/stats';
import type { Batch } from '../bare-workflow';

export async function submitAndAwaitApproval(stack: Stack): Promise<void> {
  const body = orderBody('clean');
  const res = await http<{ status: string }>('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
  if (res.status !== 201) throw new Error(`submit → ${res.status} ${JSON.stringify(res.body)}`);
  const outcome = (await stack.client.workflow.getHandle(workflowIdFor(body.orderId)).result()) as { status: string };
  if (outcome.status !== 'approved') throw new Error(`clean order ended ${outcome.status}`);
}

/** The activity batches of a clean order, read from a real history: what the bare workflow must mirror. */
export async function cleanOrderShape(stack: Stack): Promise<Batch[]> {
  const body = orderBody('clean');
  await http('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
  const handle = stack.client.workflow.getHandle(workflowIdFor(body.orderId));
  await handle.result();
  const history = await handle.fetchHistory();
  // Batches are keyed by the workflow task that scheduled them (regular) or recorded them (local).
  const batches = new Map<string, Batch>();
  const batch = (id: unknown) => {
    const key = String(id);
    let b = batches.get(key);
    if (!b) batches.set(key, (b = { regular: 0, local: 0 }));
    return b;
  };
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) batch(a.workflowTaskCompletedEventId).regular++;
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName === 'core_local_activity') batch(m.workflowTaskCompletedEventId).local++;
  }
  return [...batches.values()];
}

/** CPU milliseconds per completed order, by process: shows which process limits the throughput. */
function perOrder(cpu: Record<string, number>, completed: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v * 1000) / Math.max(1, completed))]));
}

export async function runS1(
  stack: Stack,
  bareQueue: string,
  opts: { concurrency: number; seconds: number; pids: { temporal?: number; bareWorker?: number } },
) {
  const shape = await cleanOrderShape(stack);
  const warm = Math.min(3, opts.seconds / 3) * 1000;
  await closedLoop(opts.concurrency, warm, () => submitAndAwaitApproval(stack));
  // Each loop without the archive backlog of what ran before it (bench/lib/stack.ts archiveDrained).
  await archiveDrained(stack);
  const { result: product, cpu: productCpu } = await measureCpu(
    { temporal: opts.pids.temporal, worker: stack.worker.proc.pid, api: stack.server.proc.pid },
    () => closedLoop(opts.concurrency, opts.seconds * 1000, () => submitAndAwaitApproval(stack)),
  );
  const bareOnce = async () => {
    await stack.client.workflow.execute('bareWorkflow', { taskQueue: bareQueue, workflowId: `bare-${randomUUID()}`, args: [shape] });
  };
  await archiveDrained(stack);
  await closedLoop(opts.concurrency, warm, bareOnce);
  const { result: bare, cpu: bareCpu } = await measureCpu({ temporal: opts.pids.temporal, worker: opts.pids.bareWorker }, () =>
    closedLoop(opts.concurrency, opts.seconds * 1000, bareOnce),
  );
  const productRate = product.completed / product.seconds;
  const bareRate = bare.completed / bare.seconds;
  return {
    shape,
    regularActivitiesPerOrder: shape.reduce((n, b) => n + b.regular, 0),
    localActivitiesPerOrder: shape.reduce((n, b) => n + b.local, 0),
    concurrency: opts.concurrency,
    productOrdersPerSec: round(productRate),
    bareWorkflowsPerSec: round(bareRate),
    ratio: round(productRate / bareRate),
    productMedianMs: round(median(product.latenciesMs)),
    bareMedianMs: round(median(bare.latenciesMs)),
    cpuMsPerOrder: { product: perOrder(productCpu, product.completed), bare: perOrder(bareCpu, bare.completed) },
    failed: product.failed + bare.failed,
    firstError: product.firstError ?? bare.firstError,
  };
}
