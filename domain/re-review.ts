/**
 * Amendment-aware re-review (contract section 12, policy `reReview: "changed"`): which steps must look at an amended
 * order again because their inputs changed. The others keep their result. Intake and final approval always run again.
 */
import type { NormalisedOrder, ReviewStepId, StepStatus } from './types';

/** The results an amendment may keep: the step passed (on its own or by a person) or had nothing to check. */
export const KEEPABLE: readonly StepStatus[] = ['auto_approved', 'approved', 'skipped'];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The review steps whose inputs differ between two revisions of an order. */
export function changedSteps(before: NormalisedOrder, after: NormalisedOrder): Set<ReviewStepId> {
  const steps = new Set<ReviewStepId>(['final_approval']);
  const lines = (o: NormalisedOrder) => o.lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor]);
  // A new price or quantity: the list prices, the exposure, the hours and the stock all change.
  if (!same(lines(before), lines(after)) || before.totalMinor !== after.totalMinor) {
    for (const s of ['info_check', 'credit', 'capacity', 'materials'] as const) steps.add(s);
  }
  if (before.declaredTotalMinor !== after.declaredTotalMinor || before.currency !== after.currency) steps.add('info_check');
  if (before.customerId !== after.customerId || before.paymentTerms !== after.paymentTerms || before.currency !== after.currency) {
    steps.add('credit');
  }
  if (before.requestedDeliveryDate !== after.requestedDeliveryDate) steps.add('capacity');
  if (!same(before.specialRequirements, after.specialRequirements)) steps.add('special_requirements');
  return steps;
}
