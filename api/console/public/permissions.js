// @ts-check
// Which awaiting steps the signed-in principal may decide now, and for the others why not. Pure (no DOM): the
// same rules the review applies, as far as the order view shows them, so the page never offers a button that
// can only fail. The server stays the authority: whatever it refuses is still shown with its reason.
import { capitalise, stepLabel } from './labels.js';

/** @typedef {import('./types.js').Me} Me */
/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').Step} Step */

/**
 * Every step awaiting a decision, each with `reason` null when `me` may decide it now, or a sentence why not:
 * - another department's step (management also decides escalated steps);
 * - segregation of duties: `me` submitted the order, or already decided another of its steps.
 * @param {Order} order
 * @param {Me | null} me
 * @returns {{ step: Step, reason: string | null }[]}
 */
export function awaitingChoices(order, me) {
  if (order.status !== 'in_review') return [];
  const awaiting = order.steps.filter((s) => s.status === 'awaiting_decision');
  const decidedByMe = me ? order.steps.find((s) => s.decision?.by === me.id) : undefined;
  return awaiting.map((step) => ({ step, reason: whyNot(order, step, me, decidedByMe) }));
}

/**
 * @param {Order} order
 * @param {Step} step
 * @param {Me | null} me
 * @param {Step | undefined} decidedByMe
 * @returns {string | null}
 */
function whyNot(order, step, me, decidedByMe) {
  const who = step.escalated && step.department !== 'management' ? `${capitalise(step.department)} or management (escalated)` : capitalise(step.department);
  const waits = `${stepLabel(step.step)} waits for ${who}.`;
  if (!me) return waits;
  const mine = me.departments.includes(step.department) || (step.escalated && me.departments.includes('management'));
  if (!mine) return waits;
  if (order.submittedBy === me.id) {
    return `${stepLabel(step.step)}: you submitted this order, so someone else decides it (segregation of duties).`;
  }
  if (decidedByMe && decidedByMe.step !== step.step) {
    return `${stepLabel(step.step)}: you decided ${stepLabel(decidedByMe.step).toLowerCase()} of this order, and one person decides at most one step of an order (segregation of duties).`;
  }
  return null;
}
