/**
 * The baseline: a workflow that does nothing but schedule no-op activities in the same batches as a clean
 * order review does (the shape is read from a real order's history). What is left between the two is the
 * cost of our own logic, activities and read model.
 */
import { condition, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

type Noop = { noop(): Promise<void> };
const regular = proxyActivities<Noop>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<Noop>({ startToCloseTimeout: '30s' });

/** A batch of activities scheduled side by side in one workflow task. */
export interface Batch {
  regular: number;
  local: number;
}

/** Runs the batches in order, each batch's activities side by side. */
export async function bareWorkflow(shape: Batch[]): Promise<void> {
  for (const b of shape) {
    await Promise.all([
      ...Array.from({ length: b.regular }, () => regular.noop()),
      ...Array.from({ length: b.local }, () => local.noop()),
    ]);
  }
}

/** S5's memory baseline: a workflow that only waits, as an order parked at a human step does. */
export async function parkedWorkflow(): Promise<void> {
  await condition(() => false, '1 day');
}
