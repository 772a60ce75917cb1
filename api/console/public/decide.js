// @ts-check
// Deciding: the form offers only the steps the signed-in principal may decide now, with each step's findings
// and evidence above the buttons, and says for every other waiting step who decides it.
import { postDecision } from './api.js';
import { $, flash, h } from './dom.js';
import { absolute, problemSentence, timeEl } from './format.js';
import { DECISION_VERBS, stepLabel } from './labels.js';
import { awaitingChoices } from './permissions.js';
import { sessionExpired } from './session.js';
import { state } from './state.js';

/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').Step} Step */
/** @typedef {import('./types.js').DecisionKind} DecisionKind */

/**
 * @typedef {{
 *   previous: Element | null,
 *   onDecided: (order: Order | null) => void,
 *   onStale: () => void
 * }} PanelOptions
 * `previous` is the panel now on the page: kept as it is while the same choices stand, so a half-typed comment
 * and the keyboard focus survive a refresh. `onDecided` gets the order state the API answered with;
 * `onStale` is called when the API said the order moved on (409).
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
  const key = JSON.stringify([order.orderId, order.status, state.me?.id, mine.map((s) => [s.step, s.escalated, s.findings, s.evidence ?? null, s.dueAt]), notes]);
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

  /** @type {HTMLSelectElement | HTMLInputElement} */
  const stepField = mine.length > 1
    ? h('select', { id: 'decision-step', name: 'step', onchange: () => {
      const chosen = mine.find((s) => s.step === stepField.value);
      if (chosen) why.replaceChildren(...whyItWaits(chosen));
    } }, mine.map((s) => h('option', { value: s.step, selected: s.step === preferred.step }, `${stepLabel(s.step)} (${s.department}${s.escalated ? ', escalated' : ''})`)))
    : h('input', { type: 'hidden', id: 'decision-step', name: 'step', value: preferred.step });

  const form = h('form', { id: 'decision-form', novalidate: true, onsubmit: (/** @type {SubmitEvent} */ e) => void onDecide(e, opts) },
    mine.length > 1
      ? h('div', { className: 'field' }, h('label', { for: 'decision-step' }, 'Step'), stepField)
      : [h('p', { className: 'decision-step-name', id: 'decision-step-name' }, h('strong', {}, stepLabel(preferred.step)), ` (${preferred.department}${preferred.escalated ? ', escalated' : ''})`), stepField],
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
    notesList);
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
