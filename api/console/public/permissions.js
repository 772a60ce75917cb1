// @ts-check
// Which awaiting steps the signed-in principal may decide now, and for the others why not. Pure (no DOM): the
// same rules the review applies, as far as the order view shows them, so the page never offers a button that
// can only fail. The server stays the authority: whatever it refuses is still shown with its reason.
import { capitalise, stepLabel } from './labels.js';

/** @typedef {import('./types.js').Me} Me */
/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').Step} Step */

/**
 * The departments colleagues delegated to `me` now (they are away), each with who delegated it; own departments are
 * not listed. Mirrors the API's effective actor (api/services/delegation.ts).
 * @param {Me | null} me
 * @param {number} [now]
 * @returns {Map<string, string>} department → the away colleague's id
 */
export function delegatedToMe(me, now = Date.now()) {
  /** @type {Map<string, string>} */
  const map = new Map();
  for (const d of me?.delegations ?? []) {
    if (d.to !== me?.id || new Date(d.until).getTime() <= now) continue;
    for (const dept of d.departments) if (!me.departments.includes(dept) && !map.has(dept)) map.set(dept, d.from);
  }
  return map;
}

/**
 * Every step awaiting a decision, each with `reason` null when `me` may decide it now, or a sentence why not:
 * - another department's step (management also decides escalated steps; a delegate its away colleague's);
 * - segregation of duties: `me` submitted the order, or already decided another of its steps;
 * - a colleague claimed it (management may still decide).
 * `onBehalfOf` names the away colleague when `me` decides as their delegate.
 * @param {Order} order
 * @param {Me | null} me
 * @returns {{ step: Step, reason: string | null, onBehalfOf: string | null }[]}
 */
export function awaitingChoices(order, me) {
  if (order.status !== 'in_review') return [];
  const awaiting = order.steps.filter((s) => s.status === 'awaiting_decision');
  const decidedByMe = me ? order.steps.find((s) => s.decision?.by === me.id) : undefined;
  const delegated = delegatedToMe(me);
  return awaiting.map((step) => ({
    step,
    reason: whyNot(order, step, me, decidedByMe, delegated),
    onBehalfOf: delegated.get(step.department) ?? null,
  }));
}

/**
 * Whether `me` decides for the step's department: its own, delegated to it, or management for an escalated step.
 * @param {Step} step
 * @param {Me | null} me
 * @param {Map<string, string>} [delegated]
 */
export function decidesFor(step, me, delegated = delegatedToMe(me)) {
  if (!me) return false;
  return me.departments.includes(step.department) || delegated.has(step.department) || (step.escalated && me.departments.includes('management'));
}

/**
 * @param {Order} order
 * @param {Step} step
 * @param {Me | null} me
 * @param {Step | undefined} decidedByMe
 * @param {Map<string, string>} delegated
 * @returns {string | null}
 */
function whyNot(order, step, me, decidedByMe, delegated) {
  const who = step.escalated && step.department !== 'management' ? `${capitalise(step.department)} or management (escalated)` : capitalise(step.department);
  const waits = `${stepLabel(step.step)} waits for ${who}.`;
  if (!me) return waits;
  if (!decidesFor(step, me, delegated)) return waits;
  if (order.submittedBy === me.id) {
    return `${stepLabel(step.step)}: you submitted this order, so someone else decides it (segregation of duties).`;
  }
  if (decidedByMe && decidedByMe.step !== step.step) {
    return `${stepLabel(step.step)}: you decided ${stepLabel(decidedByMe.step).toLowerCase()} of this order, and one person decides at most one step of an order (segregation of duties).`;
  }
  if (step.claimedBy && step.claimedBy !== me.id && !me.departments.includes('management')) {
    return `${stepLabel(step.step)} is claimed by ${step.claimedBy}: they decide it, unless they release it or hand it to you (or management does).`;
  }
  return null;
}
