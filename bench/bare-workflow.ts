/**
 * The baseline: a workflow that does nothing but schedule no-op activities in the same batches as a clean
 * order review does (the shape is read from a real order's history). What is left between the two is the
 * cost of our own logic, activities and read model.
 */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30s' });

/** `shape[i]` activities are scheduled side by side in the i-th workflow task. */
export async function bareWorkflow(shape: number[]): Promise<void> {
  for (const n of shape) await Promise.all(Array.from({ length: n }, () => noop()));
}
