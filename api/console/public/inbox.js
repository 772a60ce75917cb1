// @ts-check
// The inbox: the steps awaiting the signed-in principal's departments, most urgent first (the API's order).
import { getInbox } from './api.js';
import { $, h } from './dom.js';
import { absolute, problemSentence, tickTimes, timeEl, timeFormat } from './format.js';
import { stepLabel } from './labels.js';
import { sessionExpired } from './session.js';
import { hasInbox, INBOX_LIMIT, state } from './state.js';

/** @typedef {import('./types.js').InboxPage} InboxPage */
/** @typedef {import('./types.js').InboxItem} InboxItem */

/** Reloads the inbox; one request at a time, and none for a principal without departments. */
export async function refreshInbox() {
  if (!hasInbox() || state.inboxLoading || !state.token) return;
  state.inboxLoading = true;
  const token = state.token;
  try {
    const res = await getInbox(INBOX_LIMIT);
    if (token !== state.token) return; // signed out (or in as someone else) meanwhile
    if (res.status === 401) return sessionExpired();
    if (!res.ok) {
      $('inbox-updated').textContent = `Refresh failed: ${problemSentence(res)}`;
      return;
    }
    renderInbox(res.data);
  } finally {
    state.inboxLoading = false;
  }
}

/** Forces the next refresh to redraw even when nothing changed. */
export function invalidateInbox() {
  state.inboxJson = '';
}

/**
 * Draws the inbox, or the note for a principal without one.
 * @param {InboxPage | null} data
 */
export function renderInbox(data) {
  const body = $('inbox-body');
  const note = $('inbox-note');
  $('inbox-updated').textContent = `Updated ${timeFormat.format(new Date())}`;
  if (!hasInbox()) {
    $('inbox-count').textContent = '';
    note.hidden = false;
    note.textContent = 'Your role has no inbox: open an order by its id below.';
    body.replaceChildren();
    return;
  }
  const json = JSON.stringify(data);
  // Unchanged: keep the DOM (and the keyboard focus in it); only the relative times move on.
  if (json === state.inboxJson) return tickTimes();
  state.inboxJson = json;

  const items = data?.items ?? [];
  $('inbox-count').textContent = `(${items.length}${data?.nextCursor ? '+' : ''})`;
  note.hidden = !data?.nextCursor;
  note.textContent = data?.nextCursor ? `Showing the ${items.length} most urgent steps.` : '';

  const active = document.activeElement;
  const focusedKey = active instanceof HTMLElement && body.contains(active) ? active.dataset.key : undefined;
  if (items.length === 0) {
    body.replaceChildren(h('p', { className: 'empty' }, 'Nothing awaits your decision. New steps appear here by themselves.'));
    return;
  }
  const table = h(
    'table',
    { className: 'inbox-table' },
    h('caption', { className: 'visually-hidden' }, 'Steps awaiting your decision, most urgent first'),
    h('thead', {}, h('tr', {}, ['Order', 'Step', 'Customer', 'Total', 'Priority', 'Waiting', 'Due'].map((c) => h('th', { scope: 'col', className: c === 'Total' ? 'num' : undefined }, c)))),
    h('tbody', {}, items.map(inboxRow)),
  );
  body.replaceChildren(table);
  if (focusedKey) {
    const again = body.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}

/** @param {InboxItem} item */
function inboxRow(item) {
  const key = `${item.orderId}/${item.step}`;
  const href = `#/orders/${encodeURIComponent(item.orderId)}?step=${encodeURIComponent(item.step)}`;
  const selected = state.orderId === item.orderId;
  // One wrapper per cell: the cells become a grid of cards when the inbox is narrow (see console.css).
  /**
   * @param {string} label
   * @param {string} className
   * @param {...import('./dom.js').Child} content
   */
  const cell = (label, className, ...content) => h('td', { 'data-label': label, className }, h('span', { className: 'cell' }, ...content));
  return h(
    'tr',
    { className: [item.escalated ? 'escalated' : '', selected ? 'selected' : ''].join(' ').trim() || undefined, dataset: { orderId: item.orderId, step: item.step } },
    cell('Order', 'c-order', h('a', { href, className: 'order-link', dataset: { key }, 'aria-current': selected ? 'true' : undefined }, item.orderId)),
    cell('Step', 'c-step',
      h('span', { className: 'step-name' }, stepLabel(item.step)), ' ',
      h('span', { className: 'muted small' }, item.department),
      item.escalated ? h('span', { className: 'badge badge-bad', title: 'Past its escalation time: management may decide it too' }, '⚑ Escalated') : null),
    cell('Customer', 'c-customer', item.customerId),
    cell('Total', 'c-total num', item.total),
    cell('Priority', 'c-priority',
      item.priority === 'urgent' ? h('span', { className: 'badge badge-warn' }, '▲ Urgent') : h('span', { className: 'muted' }, 'Normal')),
    cell('Waiting', 'c-waiting', timeEl(item.waitingSince, 'since')),
    cell('Due', 'c-due', timeEl(item.dueAt, 'due'), h('span', { className: 'muted small due-abs' }, absolute(item.dueAt))),
  );
}

/** Marks the inbox row of the open order. */
export function markSelectedRow() {
  for (const tr of document.querySelectorAll('.inbox-table tbody tr')) {
    if (!(tr instanceof HTMLElement)) continue;
    const selected = tr.dataset.orderId === state.orderId;
    tr.classList.toggle('selected', selected);
    const link = tr.querySelector('a');
    if (!link) continue;
    if (selected) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}
