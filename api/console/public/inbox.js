// @ts-check
// The inbox: the steps awaiting the signed-in principal's departments (and those of away colleagues who delegated to
// it), most urgent first (the API's order). Each row says why the step waits, whose order it is, what it is worth,
// why it ranks where it does and who claimed it; rows can be claimed, released and ticked for a bulk decision.
import { getColleagues, getInbox, getMe, postClaim } from './api.js';
import { $, flash, h } from './dom.js';
import { absolute, findingWords, problemSentence, tickTimes, timeEl, timeFormat } from './format.js';
import { stepLabel } from './labels.js';
import { delegatedToMe } from './permissions.js';
import { renderWho, sessionExpired } from './session.js';
import { hasInbox, INBOX_LIMIT, personName, state } from './state.js';

/** @typedef {import('./types.js').InboxPage} InboxPage */
/** @typedef {import('./types.js').InboxItem} InboxItem */

/**
 * The items last drawn, by `orderId/step` (the bulk form decides these).
 * @type {Map<string, InboxItem>}
 */
export const shownItems = new Map();

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
    // A step of a department that is neither mine nor known to be delegated to me: a colleague delegated to me
    // since I signed in. Learn who (GET /v1/me), so the row and the decision form say on whose behalf.
    const delegated = delegatedToMe(state.me);
    const management = state.me?.departments.includes('management') ?? false;
    if (res.data.items.some((i) => !state.me?.departments.includes(i.department) && !delegated.has(i.department) && !(management && i.escalated))) {
      const me = await getMe();
      if (me.ok && token === state.token) {
        state.me = me.data;
        renderWho(me.data);
        await loadPeople();
      }
    }
    renderInbox(res.data);
  } finally {
    state.inboxLoading = false;
  }
}

/** Learns the names of the colleagues of my departments, so claims show a name rather than an id. */
export async function loadPeople() {
  if (!state.me) return;
  state.people.set(state.me.id, state.me.name);
  for (const d of state.me.delegations) {
    if (d.fromName) state.people.set(d.from, d.fromName);
    if (d.toName) state.people.set(d.to, d.toName);
  }
  if (!hasInbox()) return;
  const res = await getColleagues();
  if (!res.ok) return;
  for (const c of res.data.items) state.people.set(c.id, c.name);
  invalidateInbox();
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
    renderBulkBar();
    return;
  }
  const json = JSON.stringify(data);
  // Unchanged: keep the DOM (and the keyboard focus in it); only the relative times move on.
  if (json === state.inboxJson) return tickTimes();
  state.inboxJson = json;

  const items = data?.items ?? [];
  shownItems.clear();
  for (const item of items) shownItems.set(`${item.orderId}/${item.step}`, item);
  // A ticked row that left the inbox (decided, by a colleague too) is no longer selected.
  for (const key of [...state.selected]) if (!shownItems.has(key)) state.selected.delete(key);
  renderBulkBar();

  $('inbox-count').textContent = `(${items.length}${data?.nextCursor ? '+' : ''})`;
  note.hidden = !data?.nextCursor;
  note.textContent = data?.nextCursor ? `Showing the ${items.length} most urgent steps.` : '';

  const active = document.activeElement;
  const focused = active instanceof HTMLElement && body.contains(active) ? { key: active.dataset.key, select: active.dataset.selectKey, claim: active.dataset.claimKey } : undefined;
  if (items.length === 0) {
    body.replaceChildren(h('p', { className: 'empty' }, 'Nothing awaits your decision. New steps appear here by themselves.'));
    return;
  }
  const all = h('input', {
    type: 'checkbox', id: 'select-all', 'aria-label': 'Select every step shown', checked: items.every((i) => state.selected.has(`${i.orderId}/${i.step}`)),
    onchange: (/** @type {Event} */ e) => {
      const on = /** @type {HTMLInputElement} */ (e.target).checked;
      for (const key of shownItems.keys()) on ? state.selected.add(key) : state.selected.delete(key);
      for (const box of body.querySelectorAll('input[data-select-key]')) if (box instanceof HTMLInputElement) box.checked = on;
      renderBulkBar();
    },
  });
  const delegated = delegatedToMe(state.me);
  const table = h(
    'table',
    { className: 'inbox-table' },
    h('caption', { className: 'visually-hidden' }, 'Steps awaiting your decision, most urgent first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', className: 'c-select' }, all),
      ['Order', 'Step and reason', 'Customer', 'Total', 'Priority', 'Claimed', 'Waiting', 'Due'].map((c) => h('th', { scope: 'col', className: c === 'Total' ? 'num' : undefined }, c)))),
    h('tbody', {}, items.map((item) => inboxRow(item, delegated))),
  );
  body.replaceChildren(table);
  if (focused) {
    const [attr, value] = focused.key ? ['data-key', focused.key] : focused.select ? ['data-select-key', focused.select] : ['data-claim-key', focused.claim];
    const again = value ? body.querySelector(`[${attr}="${CSS.escape(value)}"]`) : null;
    if (again instanceof HTMLElement) again.focus();
  }
}

/**
 * @param {InboxItem} item
 * @param {Map<string, string>} delegated department → away colleague
 */
function inboxRow(item, delegated) {
  const key = `${item.orderId}/${item.step}`;
  const href = `#/orders/${encodeURIComponent(item.orderId)}?step=${encodeURIComponent(item.step)}`;
  const selected = state.orderId === item.orderId;
  const forWhom = delegated.get(item.department);
  // One wrapper per cell: the cells become a grid of cards when the inbox is narrow (see console.css).
  /**
   * @param {string} label
   * @param {string} className
   * @param {...import('./dom.js').Child} content
   */
  const cell = (label, className, ...content) => h('td', { 'data-label': label, className }, h('span', { className: 'cell' }, ...content));
  const reason = item.findings[0];
  return h(
    'tr',
    { className: [item.escalated ? 'escalated' : '', selected ? 'selected' : ''].join(' ').trim() || undefined, dataset: { orderId: item.orderId, step: item.step } },
    h('td', { className: 'c-select' },
      h('input', {
        type: 'checkbox', checked: state.selected.has(key), dataset: { selectKey: key }, 'aria-label': `Select ${item.orderId} ${stepLabel(item.step)}`,
        onchange: (/** @type {Event} */ e) => {
          if (/** @type {HTMLInputElement} */ (e.target).checked) state.selected.add(key);
          else state.selected.delete(key);
          renderBulkBar();
        },
      })),
    cell('Order', 'c-order', h('a', { href, className: 'order-link', dataset: { key }, 'aria-current': selected ? 'true' : undefined }, item.orderId)),
    cell('Step', 'c-step',
      h('span', { className: 'step-name' }, stepLabel(item.step)), ' ',
      h('span', { className: 'muted small' }, item.department),
      item.escalated ? h('span', { className: 'badge badge-bad', title: 'Past its escalation time: management may decide it too' }, '⚑ Escalated') : null,
      forWhom ? h('span', { className: 'badge badge-busy', title: `${forWhom} is away and delegated ${item.department} to you` }, `for ${forWhom}`) : null,
      reason
        ? h('span', { className: 'reason', title: item.findings.map((f) => f.message).join('\n') },
          findingWords(reason.code), item.findings.length > 1 ? ` +${item.findings.length - 1}` : '')
        : h('span', { className: 'reason muted' }, 'A person decides')),
    cell('Customer', 'c-customer', item.customerName ?? item.customerId, item.customerName ? h('span', { className: 'muted small' }, ` ${item.customerId}`) : null),
    cell('Total', 'c-total num', item.total, item.currency ? h('span', { className: 'currency' }, ` ${item.currency}`) : null),
    cell('Priority', 'c-priority',
      item.priority === 'urgent' ? h('span', { className: 'badge badge-warn' }, '▲ Urgent') : h('span', { className: 'muted' }, 'Normal'),
      item.priorityReasons.length ? h('span', { className: 'priority-reasons small muted' }, item.priorityReasons.join(' · ')) : null),
    cell('Claimed', 'c-claim', claimControl(item)),
    cell('Waiting', 'c-waiting', timeEl(item.waitingSince, 'since')),
    cell('Due', 'c-due', timeEl(item.dueAt, 'due'), h('span', { className: 'muted small due-abs' }, absolute(item.dueAt))),
  );
}

/**
 * Who claimed the step, and the button to claim it or release one's own claim (management: any claim).
 * @param {InboxItem} item
 */
function claimControl(item) {
  const key = `${item.orderId}/${item.step}`;
  const mine = item.claimedBy === state.me?.id;
  const management = state.me?.departments.includes('management') ?? false;
  const kind = !item.claimedBy ? 'claim' : mine || management ? 'unclaim' : null;
  const who = item.claimedBy ? h('span', { className: `claimed${mine ? ' claimed-mine' : ''}` }, `Claimed by ${personName(item.claimedBy)}`) : h('span', { className: 'muted' }, 'Unclaimed');
  if (!kind) return who;
  return [who, ' ', h('button', {
    type: 'button', className: 'button button-quiet button-small', dataset: { claimKey: key },
    'aria-label': `${kind === 'claim' ? 'Claim' : 'Release'} ${item.orderId} ${stepLabel(item.step)}`,
    onclick: (/** @type {Event} */ e) => void claimFromRow(/** @type {HTMLButtonElement} */ (e.currentTarget), item, kind),
  }, kind === 'claim' ? 'Claim' : 'Release')];
}

/**
 * @param {HTMLButtonElement} button
 * @param {InboxItem} item
 * @param {'claim' | 'unclaim'} kind
 */
async function claimFromRow(button, item, kind) {
  button.disabled = true;
  const res = await postClaim(item.orderId, item.step, kind);
  button.disabled = false;
  if (res.status === 401) return sessionExpired();
  if (!res.ok) flash(problemSentence(res), 'bad');
  else flash(`${kind === 'claim' ? 'You claimed' : 'You released'} the ${stepLabel(item.step).toLowerCase()} step of order ${item.orderId}.`, 'ok');
  invalidateInbox();
  await refreshInbox();
  document.dispatchEvent(new CustomEvent('console:step-changed', { detail: { orderId: item.orderId } }));
}

/** Shows the bulk form while rows are ticked, with how many. */
export function renderBulkBar() {
  const form = document.getElementById('bulk-form');
  if (!form) return;
  const n = state.selected.size;
  form.hidden = n === 0;
  $('bulk-count').textContent = n === 1 ? '1 step selected' : `${n} steps selected`;
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
