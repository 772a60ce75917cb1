// @ts-check
// Deciding: the form offers only the steps the signed-in principal may decide now, with each step's findings
// and evidence above the buttons, and says for every other waiting step who decides it.
import { getColleagues, postAssign, postClaim, postDecision } from './api.js';
import { $, flash, h } from './dom.js';
import { absolute, problemSentence, timeEl } from './format.js';
import { DECISION_VERBS, stepLabel } from './labels.js';
import { awaitingChoices } from './permissions.js';
import { sessionExpired } from './session.js';
import { personName, state } from './state.js';

/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').Step} Step */
/** @typedef {import('./types.js').DecisionKind} DecisionKind */

/**
 * @typedef {{
 *   previous: Element | null,
 *   onDecided: (order: Order | null) => void,
 *   onClaimed: (order: Order | null) => void,
 *   onStale: () => void
 * }} PanelOptions
 * `previous` is the panel now on the page: kept as it is while the same choices stand, so a half-typed comment
 * and the keyboard focus survive a refresh. `onDecided` gets the order state the API answered with;
 * `onClaimed` after a claim, release or hand-over; `onStale` is called when the API said the order moved on (409).
 */

/**
 * The decision section for `order`, or null when no step awaits a decision.
 * @param {Order} order
 * @param {PanelOptions} opts
 * @returns {Element | null}
 */
export function decisionPanel(order, opts) {
  const choices = awaitingChoices(order, state.me);
  if (choices.length === 0) return null;
  const mine = choices.filter((c) => c.reason === null).map((c) => c.step);
  const notes = choices.flatMap((c) => (c.reason === null ? [] : [c.reason]));
  /** @type {Map<string, string>} step → the away colleague `me` decides it for */
  const forWhom = new Map(choices.flatMap((c) => (c.reason === null && c.onBehalfOf ? [[c.step.step, c.onBehalfOf]] : [])));
  const key = JSON.stringify([order.orderId, order.status, state.me?.id, mine.map((s) => [s.step, s.escalated, s.findings, s.evidence ?? null, s.dueAt, s.claimedBy ?? null]), notes, [...forWhom]]);
  if (opts.previous instanceof HTMLElement && opts.previous.dataset.key === key) return opts.previous;

  const notesList = notes.length ? h('ul', { id: 'decision-notes', className: 'decision-notes' }, notes.map((n) => h('li', {}, n))) : null;
  if (mine.length === 0) {
    return h('section', { className: 'sub decision', id: 'decision', dataset: { key }, 'aria-labelledby': 'decide-title' },
      h('h3', { id: 'decide-title' }, 'Nothing for you to decide'),
      notesList);
  }
  const oldComment = opts.previous?.querySelector('textarea');
  const preferred = mine.find((s) => s.step === state.preferredStep) ?? mine[0];
  if (!preferred) return null;
  const why = h('div', { id: 'decision-why', className: 'why' }, whyItWaits(preferred));
  const claims = h('div', { id: 'claim-box', className: 'claim-box' }, claimBox(order, preferred, opts));
  /** @param {Step} s */
  const behalf = (s) => (forWhom.has(s.step) ? `, on behalf of ${personName(forWhom.get(s.step))}` : '');

  /** @type {HTMLSelectElement | HTMLInputElement} */
  const stepField = mine.length > 1
    ? h('select', { id: 'decision-step', name: 'step', onchange: () => {
      const chosen = mine.find((s) => s.step === stepField.value);
      if (chosen) why.replaceChildren(...whyItWaits(chosen));
      if (chosen) claims.replaceChildren(...claimBox(order, chosen, opts));
    } }, mine.map((s) => h('option', { value: s.step, selected: s.step === preferred.step }, `${stepLabel(s.step)} (${s.department}${s.escalated ? ', escalated' : ''}${behalf(s)})`)))
    : h('input', { type: 'hidden', id: 'decision-step', name: 'step', value: preferred.step });

  const form = h('form', { id: 'decision-form', novalidate: true, onsubmit: (/** @type {SubmitEvent} */ e) => void onDecide(e, opts) },
    mine.length > 1
      ? h('div', { className: 'field' }, h('label', { for: 'decision-step' }, 'Step'), stepField)
      : [h('p', { className: 'decision-step-name', id: 'decision-step-name' }, h('strong', {}, stepLabel(preferred.step)), ` (${preferred.department}${preferred.escalated ? ', escalated' : ''}${behalf(preferred)})`), stepField],
    why,
    h('div', { className: 'field' },
      h('label', { for: 'decision-comment' }, 'Comment ', h('span', { className: 'muted small' }, '(required to reject or request changes)')),
      h('textarea', { id: 'decision-comment', name: 'comment', rows: '3', maxlength: '2000', 'aria-describedby': 'decision-comment-error' }),
      h('p', { id: 'decision-comment-error', className: 'field-error' })),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', name: 'decision', value: 'approve', className: 'button button-ok' }, '✓ Approve'),
      h('button', { type: 'submit', name: 'decision', value: 'request_changes', className: 'button button-warn' }, '↺ Request changes'),
      h('button', { type: 'submit', name: 'decision', value: 'reject', className: 'button button-bad' }, '✕ Reject')),
    h('div', { id: 'decision-error', className: 'message message-bad', role: 'alert', hidden: true }));
  const textarea = form.querySelector('textarea');
  if (textarea && oldComment) textarea.value = oldComment.value;
  return h('section', { className: 'sub decision', id: 'decision', dataset: { key }, 'aria-labelledby': 'decide-title' },
    h('h3', { id: 'decide-title' }, 'Your decision'),
    form,
    claims,
    notesList);
}

/**
 * Who holds the step, and what `me` may do about it: claim it (so colleagues leave it alone), release it, or hand it to
 * a colleague of its department (the claimer, or management). Below the decision buttons: the finding stays first.
 * @param {Order} order
 * @param {Step} step
 * @param {PanelOptions} opts
 * @returns {Node[]}
 */
function claimBox(order, step, opts) {
  const me = state.me;
  if (!me) return [];
  const mine = step.claimedBy === me.id;
  const management = me.departments.includes('management');
  const status = step.claimedBy
    ? h('p', { id: 'claim-status', className: 'claim-status' }, h('strong', {}, `Claimed by ${personName(step.claimedBy)}`),
      step.claimedAt ? [' since ', timeEl(step.claimedAt)] : null)
    : h('p', { id: 'claim-status', className: 'claim-status muted' }, 'Nobody has claimed this step. Claim it so colleagues leave it to you.');
  /** @param {'claim' | 'unclaim'} kind */
  const claimButton = (kind) => h('button', {
    type: 'button', id: kind === 'claim' ? 'claim-step' : 'release-step', className: 'button button-quiet',
    onclick: (/** @type {Event} */ e) => void runClaim(/** @type {HTMLButtonElement} */ (e.currentTarget), order.orderId, step.step, kind, null, opts),
  }, kind === 'claim' ? 'Claim' : 'Release');
  /** @type {Node[]} */
  const parts = [status];
  const buttons = h('div', { className: 'buttons' });
  if (!step.claimedBy) buttons.append(claimButton('claim'));
  else if (mine || management) buttons.append(claimButton('unclaim'));
  if (buttons.childElementCount) parts.push(buttons);
  if (mine || management) parts.push(assignForm(order, step, opts));
  return parts;
}

/**
 * "Hand over to [colleague ▾] [Hand over]": the colleagues of the step's department (GET /v1/me/colleagues).
 * @param {Order} order
 * @param {Step} step
 * @param {PanelOptions} opts
 */
function assignForm(order, step, opts) {
  const select = h('select', { id: 'assign-to', name: 'principalId', required: true }, h('option', { value: '' }, 'Loading colleagues…'));
  const form = h('form', {
    id: 'assign-form', className: 'assign', novalidate: true,
    onsubmit: (/** @type {SubmitEvent} */ e) => {
      e.preventDefault();
      if (!select.value) return select.focus();
      const button = form.querySelector('button');
      if (button) void runClaim(button, order.orderId, step.step, 'assign', select.value, opts);
    },
  },
  h('label', { for: 'assign-to' }, `Hand over to a colleague of ${step.department}`),
  h('div', { className: 'inline' }, select, h('button', { type: 'submit', className: 'button' }, 'Hand over')));
  void fillColleagues(select, step);
  return form;
}

/**
 * @param {HTMLSelectElement} select
 * @param {Step} step
 */
async function fillColleagues(select, step) {
  let people = state.colleagues.get(step.department);
  if (!people) {
    const res = await getColleagues(step.department);
    if (!res.ok) {
      select.replaceChildren(h('option', { value: '' }, 'Colleagues could not be loaded'));
      return;
    }
    people = res.data.items;
    state.colleagues.set(step.department, people);
    for (const p of people) state.people.set(p.id, p.name);
  }
  const others = people.filter((p) => p.id !== step.claimedBy);
  select.replaceChildren(
    h('option', { value: '' }, others.length ? 'Choose a colleague' : `No other approver of ${step.department}`),
    ...others.map((p) => h('option', { value: p.id }, `${p.name} (${p.id})`)));
}

/**
 * @param {HTMLButtonElement} button
 * @param {string} orderId
 * @param {string} step
 * @param {'claim' | 'unclaim' | 'assign'} kind
 * @param {string | null} to
 * @param {PanelOptions} opts
 */
async function runClaim(button, orderId, step, kind, to, opts) {
  button.disabled = true;
  const res = kind === 'assign' && to ? await postAssign(orderId, step, to) : await postClaim(orderId, step, kind === 'unclaim' ? 'unclaim' : 'claim');
  button.disabled = false;
  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    flash(problemSentence(res), 'bad');
    opts.onStale();
    return;
  }
  const what = kind === 'claim' ? 'You claimed' : kind === 'unclaim' ? 'You released' : `You handed to ${personName(to)}`;
  flash(`${what} the ${stepLabel(step).toLowerCase()} step of order ${orderId}.`, 'ok');
  opts.onClaimed(res.data && res.data.orderId === state.orderId ? res.data : null);
}

/**
 * What the decider needs to know first: the findings (why the step waits), the evidence, the due time.
 * @param {Step} s
 */
function whyItWaits(s) {
  /** @type {(Node | null)[]} */
  const parts = [
    s.findings.length
      ? h('ul', { className: 'findings', id: 'decision-findings' }, s.findings.map((f) => h('li', {}, h('code', { className: 'finding-code' }, f.code), ' ', f.message)))
      : h('p', { className: 'muted', id: 'decision-findings' }, 'No findings: the policy asks a person to decide this step.'),
    evidenceList(s.evidence),
    s.dueAt
      ? h('p', { className: 'small' }, 'Due ', timeEl(s.dueAt, 'due'), ` (${absolute(s.dueAt)})`, s.escalated ? h('span', { className: 'badge badge-bad' }, '⚑ Escalated') : null)
      : null,
  ];
  return parts.filter((p) => p !== null);
}

/**
 * The figures an automatic check decided on, when the order view carries them: one line per entry.
 * @param {unknown} evidence
 */
function evidenceList(evidence) {
  if (!evidence || typeof evidence !== 'object') return null;
  const entries = Object.entries(evidence).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length === 0) return null;
  return h('dl', { className: 'evidence', id: 'decision-evidence' },
    entries.map(([k, v]) => [
      h('dt', {}, k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()),
      h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)),
    ]));
}

/**
 * @param {string} message
 * @param {{ path: string, message: string }[]} [fieldErrors]
 */
function showDecisionError(message, fieldErrors = []) {
  const box = document.getElementById('decision-error');
  if (!box) return flash(message, 'bad');
  box.replaceChildren(h('p', {}, message));
  if (fieldErrors.length) box.append(h('ul', {}, fieldErrors.map((e) => h('li', {}, `${e.path}: ${e.message}`))));
  box.hidden = false;
}

/**
 * @param {SubmitEvent} event
 * @param {PanelOptions} opts
 */
async function onDecide(event, opts) {
  event.preventDefault();
  const form = event.currentTarget;
  if (!(form instanceof HTMLFormElement) || !state.order) return;
  const submitter = event.submitter;
  const decision = /** @type {DecisionKind} */ (submitter instanceof HTMLButtonElement ? submitter.value : 'approve');
  const stepEl = form.elements.namedItem('step');
  const commentEl = form.elements.namedItem('comment');
  if (!(stepEl instanceof HTMLSelectElement || stepEl instanceof HTMLInputElement) || !(commentEl instanceof HTMLTextAreaElement)) return;
  const step = stepEl.value;
  const comment = commentEl.value.trim();
  const commentError = $('decision-comment-error');
  $('decision-error').hidden = true;
  commentError.textContent = '';
  commentEl.removeAttribute('aria-invalid');

  if (decision !== 'approve' && !comment) {
    commentError.textContent = `A comment is required to ${decision === 'reject' ? 'reject' : 'request changes'}: say what is wrong.`;
    commentEl.setAttribute('aria-invalid', 'true');
    commentEl.focus();
    return;
  }

  const orderId = state.order.orderId;
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute('aria-busy', 'true');
  const res = await postDecision(orderId, step, decision, comment || null);
  buttons.forEach((b) => (b.disabled = false));
  form.removeAttribute('aria-busy');

  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    const errors = res.problem?.errors ?? [];
    const commentProblem = errors.find((e) => /comment/.test(e.path));
    if (commentProblem) {
      commentEl.setAttribute('aria-invalid', 'true');
      commentError.textContent = commentProblem.message;
    }
    showDecisionError(problemSentence(res), errors);
    if (res.status === 409) {
      // The order moved on under us: show where it is now. That redraw may replace this form (and its error
      // box), so the reason is announced in the page's message area too.
      flash(problemSentence(res), 'bad');
      opts.onStale();
    }
    return;
  }
  commentEl.value = '';
  flash(`You ${DECISION_VERBS[decision] ?? decision} the ${stepLabel(step).toLowerCase()} step of order ${orderId}.`, 'ok');
  opts.onDecided(res.data && res.data.orderId === state.orderId ? res.data : null);
}
