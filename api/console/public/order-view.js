// @ts-check
// One order: where it stands in its own review plan, what awaits whom, the decision form, the details.
import { refreshAudit } from './audit.js';
import { getOrder } from './api.js';
import { decisionPanel } from './decide.js';
import { $, h } from './dom.js';
import { absolute, problemSentence, tickTimes, timeEl } from './format.js';
import { capitalise, DECISION_LABELS, ORDER_STATUS, STEP_STATUS, stepLabel } from './labels.js';
import { invalidateInbox, markSelectedRow, refreshInbox, shownItems } from './inbox.js';
import { sessionExpired } from './session.js';
import { personName, state } from './state.js';

/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').Step} Step */
/** @typedef {import('./types.js').StepId} StepId */
/** @typedef {import('./types.js').Outcome} Outcome */

/**
 * Loads the open order (state.orderId) and draws it; one request at a time.
 * @param {{ focus?: boolean }} [options] focus the order's title (after opening it, or after a decision)
 */
export async function refreshOrder({ focus = false } = {}) {
  const orderId = state.orderId;
  if (!orderId || state.orderLoading) return;
  state.orderLoading = true;
  const token = state.token;
  try {
    const res = await getOrder(orderId);
    if (orderId !== state.orderId || token !== state.token) return; // the user moved on meanwhile
    if (res.status === 401) return sessionExpired();
    if (!res.ok) {
      if (!state.order) {
        $('order-body').replaceChildren(
          h('h2', { id: 'order-title', tabindex: '-1' }, `Order ${orderId}`),
          h('p', { className: 'message message-bad' }, problemSentence(res)),
        );
        if (focus) $('order-title').focus();
      }
      return;
    }
    renderOrder(res.data, { focus });
  } finally {
    state.orderLoading = false;
  }
}

/** Shows "Loading…" for an order about to be fetched. @param {string} orderId */
export function showLoading(orderId) {
  state.order = null;
  state.orderJson = '';
  $('order-body').replaceChildren(h('p', { className: 'muted' }, `Loading order ${orderId}…`));
}

/**
 * @param {Order} order
 * @param {{ focus?: boolean }} [options]
 */
export function renderOrder(order, { focus = false } = {}) {
  const json = JSON.stringify(order);
  state.order = order;
  if (json === state.orderJson) return tickTimes();
  state.orderJson = json;

  const body = $('order-body');
  const panel = decisionPanel(order, {
    previous: body.querySelector('#decision'),
    onDecided: (answered) => {
      // The form is gone with the decided step: the keyboard continues from the top of the order.
      if (answered) renderOrder(answered, { focus: true });
      void refreshInbox();
      // The workflow goes on after the decision (the next stage starts a moment later): look again soon.
      setTimeout(() => void refreshOrder(), 1000);
    },
    onClaimed: (answered) => {
      if (answered) renderOrder(answered);
      invalidateInbox();
      void refreshInbox();
    },
    onStale: () => {
      void refreshOrder();
      void refreshInbox();
    },
  });
  const oldAudit = body.querySelector('#audit');

  const [statusLabel, statusTone] = ORDER_STATUS[order.status] ?? [order.status, 'idle'];
  const o = order.order;
  body.replaceChildren(...[
    h('div', { className: 'order-head' },
      h('h2', { id: 'order-title', tabindex: '-1' }, `Order ${order.orderId}`),
      h('span', { className: `badge badge-${statusTone}`, id: 'order-status' }, statusLabel)),
    h('dl', { className: 'facts' },
      fact('Customer', customerName(order) ? [customerName(order), h('span', { className: 'muted small' }, ` ${order.customerId}`)] : order.customerId),
      fact('Total', `${o.total} ${o.currency}`),
      fact('Priority', order.priority === 'urgent' ? '▲ Urgent' : 'Normal'),
      fact('Revision', String(order.revision)),
      fact('Submitted', [timeEl(order.submittedAt), order.submittedBy ? ` by ${order.submittedBy}` : '']),
      fact('Updated', timeEl(order.updatedAt)),
      order.completedAt ? fact('Completed', timeEl(order.completedAt)) : null),
    order.outcome ? outcomeBox(order.outcome) : null,
    waitingSummary(order),
    // The decision comes before the plan and the details: on a phone the finding and the buttons are at hand.
    panel,
    stagePlan(order),
    orderDetails(order),
    riskSection(order.risk),
    stepsSection(order),
    oldAudit ?? h('section', { id: 'audit', className: 'sub audit', 'aria-labelledby': 'audit-title', hidden: true }),
  ].filter((el) => el !== null));
  void refreshAudit(order.orderId);
  markSelectedRow();
  if (focus) $('order-title').focus();
}

/** The customer's name, when the inbox has shown it (the order view carries only the id). @param {Order} order */
function customerName(order) {
  for (const item of shownItems.values()) if (item.orderId === order.orderId && item.customerName) return item.customerName;
  return null;
}

/**
 * @param {string} label
 * @param {import('./dom.js').Child} value
 */
function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

/** @param {Outcome} outcome */
function outcomeBox(outcome) {
  const [label, tone] = ORDER_STATUS[outcome.status] ?? [outcome.status, 'idle'];
  return h('p', { className: `message message-${tone}`, id: 'order-outcome' },
    h('strong', {}, label), outcome.step ? ` at ${stepLabel(outcome.step)}` : '', ` — ${outcome.reason} (`, timeEl(outcome.at), ')');
}

/** @param {Order} order */
function waitingSummary(order) {
  if (order.status !== 'in_review') return null;
  const waiting = order.steps.filter((s) => s.status === 'awaiting_decision');
  if (waiting.length === 0) return h('p', { className: 'waiting-summary muted', id: 'waiting-summary' }, 'Automatic checks are running; no department is needed right now.');
  return h('p', { className: 'waiting-summary', id: 'waiting-summary' },
    'Waiting for ',
    waiting.flatMap((s, i) => [i ? ', ' : '', h('strong', {}, capitalise(s.department)), ` (${stepLabel(s.step).toLowerCase()})`]),
    '.');
}

/**
 * The order's own plan (from its policy) as a flow: stages left to right (top to bottom on a phone), the steps of
 * a stage side by side.
 * @param {Order} order
 */
function stagePlan(order) {
  const byId = new Map(order.steps.map((s) => [s.step, s]));
  const planned = order.stages?.length ? order.stages : order.steps.map((s) => [s.step]);
  const inPlan = new Set(planned.flat());
  // A step the plan does not name still shows, as a stage of its own before the last.
  const extra = order.steps.filter((s) => !inPlan.has(s.step)).map((s) => [s.step]);
  const stages = [...planned.slice(0, -1), ...extra, ...planned.slice(-1)];
  return h('section', { className: 'sub', 'aria-labelledby': 'plan-title' },
    h('h3', { id: 'plan-title' }, 'Review plan'),
    h('ol', { className: 'plan', id: 'stage-plan' },
      stages.map((stage, i) => {
        /** @type {Step[]} */
        const steps = stage.map((id) => byId.get(id) ?? { step: id, department: '', status: 'pending', findings: [], dueAt: null, waitingSince: null, escalated: false, decision: null });
        return h('li', { className: `stage${stage.length > 1 ? ' stage-parallel' : ''}`, 'aria-label': `Stage ${i + 1}${stage.length > 1 ? ', side by side' : ''}` },
          stage.length > 1 ? h('span', { className: 'stage-note' }, 'side by side') : null,
          h('ul', { className: 'stage-steps' }, steps.map(planNode)));
      })));
}

/** @param {Step} s */
function planNode(s) {
  const [label, glyph, tone] = STEP_STATUS[s.status] ?? [s.status, '?', 'idle'];
  return h('li', { className: `node node-${tone}${s.status === 'awaiting_decision' ? ' node-current' : ''}`, dataset: { step: s.step, status: s.status } },
    h('span', { className: 'node-name' }, stepLabel(s.step)),
    s.department && s.department !== 'system' ? h('span', { className: 'node-dept' }, s.department) : null,
    h('span', { className: 'node-status' }, h('span', { 'aria-hidden': 'true' }, `${glyph} `), label),
    s.status === 'awaiting_decision' && s.dueAt ? h('span', { className: 'node-due' }, 'due ', timeEl(s.dueAt, 'due')) : null,
    s.status === 'awaiting_decision' && s.claimedBy ? h('span', { className: 'node-due' }, `claimed by ${personName(s.claimedBy)}`) : null,
    s.escalated ? h('span', { className: 'badge badge-bad' }, '⚑ Escalated') : null);
}

/** @param {Order} order */
function orderDetails(order) {
  const o = order.order;
  return h('section', { className: 'sub', 'aria-labelledby': 'lines-title' },
    h('h3', { id: 'lines-title' }, 'Order lines'),
    h('div', { className: 'table-scroll' },
      h('table', { className: 'lines' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'SKU'), h('th', { scope: 'col', className: 'num' }, 'Qty'), h('th', { scope: 'col', className: 'num' }, 'Unit price'), h('th', { scope: 'col', className: 'num' }, 'Line total'))),
        h('tbody', {}, o.lines.map((l) => h('tr', {}, h('td', {}, l.sku), h('td', { className: 'num' }, String(l.quantity)), h('td', { className: 'num' }, l.unitPrice), h('td', { className: 'num' }, l.lineTotal)))),
        h('tfoot', {},
          h('tr', {}, h('th', { scope: 'row', colspan: '3' }, `Total (${o.currency})`), h('td', { className: 'num total' }, o.total)),
          o.declaredTotal !== null && o.declaredTotal !== undefined
            ? h('tr', {}, h('th', { scope: 'row', colspan: '3' }, 'Declared total'), h('td', { className: `num${o.declaredTotal !== o.total ? ' mismatch' : ''}` }, o.declaredTotal))
            : null))),
    h('dl', { className: 'facts' },
      fact('Channel', o.channel),
      fact('Payment terms', o.paymentTerms),
      fact('Requested delivery', o.requestedDeliveryDate),
      o.specialRequirements?.length ? fact('Special requirements', h('ul', { className: 'plain' }, o.specialRequirements.map((r) => h('li', {}, r)))) : null,
      o.notes ? fact('Notes', o.notes) : null));
}

/** @param {Order['risk']} risk */
function riskSection(risk) {
  if (!risk) return null;
  const tone = risk.score >= 60 ? 'bad' : risk.score >= 30 ? 'warn' : 'ok';
  return h('section', { className: 'sub', 'aria-labelledby': 'risk-title' },
    h('h3', { id: 'risk-title' }, 'Risk'),
    h('div', { className: 'risk' },
      h('span', { className: `risk-score badge badge-${tone}`, id: 'risk-score' }, `${risk.score} / 100`),
      h('meter', { min: '0', max: '100', low: '29.5', high: '59.5', optimum: '0', value: String(risk.score), 'aria-label': 'Risk score' })),
    risk.reasons.length
      ? h('ul', { className: 'reasons' }, risk.reasons.map((r) => h('li', {}, r)))
      : h('p', { className: 'muted' }, 'No risk factors.'));
}

/** @param {Order} order */
function stepsSection(order) {
  return h('section', { className: 'sub', 'aria-labelledby': 'steps-title' },
    h('h3', { id: 'steps-title' }, 'Steps'),
    h('ol', { className: 'steps' }, order.steps.map((s) => {
      const [label, glyph, tone] = STEP_STATUS[s.status] ?? [s.status, '?', 'idle'];
      return h('li', { className: `step step-${tone}`, id: `step-${s.step}`, dataset: { step: s.step } },
        h('div', { className: 'step-head' },
          h('h4', {}, stepLabel(s.step)),
          h('span', { className: 'muted small' }, s.department),
          h('span', { className: `badge badge-${tone}` }, h('span', { 'aria-hidden': 'true' }, `${glyph} `), label),
          s.escalated ? h('span', { className: 'badge badge-bad' }, '⚑ Escalated') : null),
        s.findings.length
          ? h('ul', { className: 'findings' }, s.findings.map((f) => h('li', {}, h('code', { className: 'finding-code' }, f.code), ' ', f.message)))
          : null,
        s.status === 'awaiting_decision'
          ? h('p', { className: 'small' },
            s.claimedBy ? h('span', { className: 'claimed' }, `Claimed by ${personName(s.claimedBy)}. `) : null,
            s.waitingSince ? ['Waiting ', timeEl(s.waitingSince, 'since'), '. '] : null,
            s.dueAt ? ['Due ', timeEl(s.dueAt, 'due'), ` (${absolute(s.dueAt)}).`] : null)
          : null,
        s.decision
          ? h('p', { className: 'decision-made' },
            h('strong', {}, DECISION_LABELS[s.decision.decision] ?? s.decision.decision), ` by ${s.decision.by}`,
            s.decision.onBehalfOf ? h('span', { className: 'on-behalf' }, ` on behalf of ${s.decision.onBehalfOf}`) : null, ', ', timeEl(s.decision.at),
            s.decision.comment ? [': ', h('q', {}, s.decision.comment)] : null)
          : null);
    })));
}
