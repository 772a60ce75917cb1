/**
 * Test-only workflow variant: the same change as unpatched.ts, made safely. `patched()` records a marker on new
 * runs (which take the new path) and answers false while replaying a history that has no marker (old runs keep
 * the old path), so orders in flight replay exactly as before.
 */
import { patched, sleep } from '@temporalio/workflow';
import { orderReviewWorkflow as current } from '../../../workflows/order-review';
import type { OrderReviewInput, Outcome } from '../../../workflows/messages';

/** The order review with the new first step behind a patch. */
export async function orderReviewWorkflow(input: OrderReviewInput): Promise<Outcome> {
  if (patched('example-change')) await sleep('1ms');
  return current(input);
}
