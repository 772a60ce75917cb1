// @ts-check
// Bulk decisions: the inbox rows ticked, approved or rejected with one comment (POST /v1/decisions). Each item is
// decided or refused on its own; the result of every row is listed, and the refused ones stay ticked.
import { postDecisions } from './api.js';
import { $, flash, h } from './dom.js';
import { problemSentence } from './format.js';
import { invalidateInbox, refreshInbox, renderBulkBar, shownItems } from './inbox.js';
import { stepLabel } from './labels.js';
import { sessionExpired } from './session.js';
import { state } from './state.js';

/** @typedef {import('./types.js').BulkResult} BulkResult */
/** @typedef {import('./types.js').DecisionKind} DecisionKind */

/** Wires the bulk form of the inbox. */
export function setUpBulk() {
  const form = /** @type {HTMLFormElement} */ ($('bulk-form'));
  form.addEventListener('submit', (e) => void onBulk(/** @type {SubmitEvent} */ (e)));
  $('bulk-clear').addEventListener('click', () => {
    state.selected.clear();
    for (const box of document.querySelectorAll('#inbox-body input[type="checkbox"]')) if (box instanceof HTMLInputElement) box.checked = false;
    renderBulkBar();
  });
}


/** The most items one POST /v1/decisions takes (contract section 12). */
const BULK_MAX = 100;
/** @param {SubmitEvent} event */
async function onBulk(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const decision = /** @type {DecisionKind} */ (event.submitter instanceof HTMLButtonElement ? event.submitter.value : 'approve');
  const commentEl = /** @type {HTMLTextAreaElement} */ ($('bulk-comment'));
  const comment = commentEl.value.trim();
  const error = $('bulk-comment-error');
  error.textContent = '';
  commentEl.removeAttribute('aria-invalid');
  if (decision !== 'approve' && !comment) {
    error.textContent = 'A comment is required to reject: say what is wrong.';
    commentEl.setAttribute('aria-invalid', 'true');
    commentEl.focus();
    return;
  }
  const items = [...state.selected].flatMap((k) => {
    const item = shownItems.get(k);
    return item ? [{ orderId: item.orderId, step: item.step, decision, comment: comment || null }] : [];
  });
  if (items.length === 0) return;
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute('aria-busy', 'true');
  // POST /v1/decisions takes at most BULK_MAX items; "select every step shown" can tick more, so send them in turn.
  /** @type {BulkResult[]} */
  const results = [];
  for (let i = 0; i < items.length; i += BULK_MAX) {
    const res = await postDecisions(items.slice(i, i + BULK_MAX));
    if (res.status === 401) return sessionExpired();
    if (!res.ok) {
      flash(problemSentence(res), 'bad');
      break;
    }
    results.push(...res.data.results);
  }
  buttons.forEach((b) => (b.disabled = false));
  form.removeAttribute('aria-busy');
  if (results.length === 0) return;
  for (const r of results) if (r.status === 200) state.selected.delete(`${r.orderId}/${r.step}`);
  const done = results.filter((r) => r.status === 200).length;
  if (done === results.length) commentEl.value = '';
  showResults(results, decision);
  flash(`${done} of ${results.length} ${decision === 'approve' ? 'approved' : 'rejected'}${done < results.length ? `; ${results.length - done} refused (see the list)` : ''}.`, done === results.length ? 'ok' : 'bad');
  invalidateInbox();
  await refreshInbox();
  renderBulkBar();
  document.dispatchEvent(new CustomEvent('console:step-changed', { detail: { orderId: null } }));
}

/**
 * One line per item: decided, or why it was refused (with the status it would have had on its own).
 * @param {BulkResult[]} results
 * @param {DecisionKind} decision
 */
function showResults(results, decision) {
  const box = $('bulk-results');
  box.replaceChildren(
    h('h3', { id: 'bulk-results-title' }, 'Bulk result'),
    h('ul', { className: 'bulk-list', 'aria-labelledby': 'bulk-results-title' },
      results.map((r) => {
        const ok = r.status === 200;
        const sentence = ok ? (decision === 'approve' ? 'approved' : 'rejected') : problemSentence({ ok: false, status: r.status, data: null, problem: r.problem ?? null });
        return h('li', { className: ok ? 'bulk-ok' : 'bulk-bad', dataset: { key: `${r.orderId}/${r.step}`, status: String(r.status) } },
          h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✕ '),
          h('a', { href: `#/orders/${encodeURIComponent(r.orderId)}?step=${encodeURIComponent(r.step)}` }, r.orderId), ` ${stepLabel(r.step)}: `,
          ok ? sentence : h('span', {}, `${r.status} — ${sentence}`));
      })),
    h('button', { type: 'button', className: 'button button-quiet', onclick: () => { box.hidden = true; } }, 'Dismiss'));
  box.hidden = false;
}
