/**
 * Test-only workflow variant: the current workflow with a change made WITHOUT patched(): a short timer before the
 * review starts. Histories recorded before the change do not have that timer, so replaying them must fail.
 */
import { sleep } from '@temporalio/workflow';
import { orderReviewWorkflow as current } from '../../../workflows/order-review';
import type { OrderReviewInput, Outcome } from '../../../workflows/messages';

/** The order review with an unguarded new first step. */
export async function orderReviewWorkflow(input: OrderReviewInput): Promise<Outcome> {
  await sleep('1ms');
  return current(input);
}
