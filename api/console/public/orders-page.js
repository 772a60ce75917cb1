// @ts-check
// #/orders?…: every order, newest first, with the filters of GET /v1/orders (for management and auditors above all;
// approvers may list too), a page at a time, and the same list as a CSV download. The filters live in the address,
// so a filtered list can be bookmarked or shared.
import { getOrders, getOrdersCsv } from './api.js';
import { $, flash, h } from './dom.js';
import { problemSentence, timeEl } from './format.js';
import { ORDER_STATUS, stepLabel } from './labels.js';
import { sessionExpired } from './session.js';
import { state } from './state.js';

/** @typedef {import('./types.js').OrderList} OrderList */

const STATUSES = ['in_review', 'changes_requested', 'approved', 'rejected', 'cancelled', 'expired'];
const STEPS = ['info_check', 'credit', 'capacity', 'materials', 'special_requirements', 'final_approval'];
const DEPARTMENTS = ['sales', 'finance', 'production', 'procurement', 'engineering', 'management'];
const CHANNELS = ['web', 'sales', 'partner', 'edi'];
/** The filters, as GET /v1/orders names them, in the order the form shows them. */
const FILTERS = ['status', 'customerId', 'awaiting', 'priority', 'channel', 'escalated', 'submittedFrom', 'submittedTo', 'minTotal', 'maxTotal'];
const PAGE_SIZE = '50';

/**
 * Shows the list for the filters in the address (`#/orders?status=…`).
 * @param {URLSearchParams} params
 */
export async function showOrdersPage(params) {
  const page = $('orders-page');
  if (!page.querySelector('#orders-filter')) page.replaceChildren(...skeleton());
  fillForm(params);
  const results = $('orders-results');
  results.setAttribute('aria-busy', 'true');
  const query = apiQuery(params);
  const token = state.token;
  const res = await getOrders(query);
  if (token !== state.token) return;
  results.removeAttribute('aria-busy');
  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    $('orders-count').textContent = '';
    results.replaceChildren(h('p', { className: 'message message-bad', id: 'orders-error' }, problemSentence(res),
      res.problem?.errors?.length ? h('ul', {}, res.problem.errors.map((e) => h('li', {}, `${e.path}: ${e.message}`))) : null));
    return;
  }
  renderResults(res.data, params);
}

/** The filters that are set, plus the page size and cursor: what GET /v1/orders is asked. @param {URLSearchParams} params */
function apiQuery(params) {
  const q = new URLSearchParams();
  for (const name of [...FILTERS, 'cursor']) {
    const v = params.get(name);
    if (v) q.set(name, v);
  }
  q.set('limit', PAGE_SIZE);
  return q;
}

function skeleton() {
  /**
   * @param {string} name
   * @param {string} label
   * @param {string[]} values
   * @param {(v: string) => string} [text]
   */
  const select = (name, label, values, text = (v) => v) => field(name, label,
    h('select', { id: `f-${name}`, name }, h('option', { value: '' }, 'any'), values.map((v) => h('option', { value: v }, text(v)))));
  /**
   * @param {string} name
   * @param {string} label
   * @param {import('./dom.js').Child} control
   */
  const field = (name, label, control) => h('div', { className: 'field' }, h('label', { for: `f-${name}` }, label), control);
  /**
   * @param {string} name
   * @param {string} label
   * @param {Record<string, unknown>} props
   */
  const input = (name, label, props) => field(name, label, h('input', { id: `f-${name}`, name, autocomplete: 'off', ...props }));
  const form = h('form', { id: 'orders-filter', className: 'filters', novalidate: true, onsubmit: onFilter },
    select('status', 'Status', STATUSES, (v) => ORDER_STATUS[v]?.[0] ?? v),
    input('customerId', 'Customer id', { spellcheck: 'false' }),
    field('awaiting', 'Awaiting',
      h('select', { id: 'f-awaiting', name: 'awaiting' }, h('option', { value: '' }, 'any'),
        h('optgroup', { label: 'Department' }, DEPARTMENTS.map((d) => h('option', { value: d }, d))),
        h('optgroup', { label: 'Step' }, STEPS.map((s) => h('option', { value: s }, stepLabel(s)))))),
    select('priority', 'Priority', ['normal', 'urgent']),
    select('channel', 'Channel', CHANNELS),
    select('escalated', 'Escalated', ['true', 'false'], (v) => (v === 'true' ? 'escalated' : 'not escalated')),
    input('submittedFrom', 'Submitted from', { type: 'date' }),
    input('submittedTo', 'Submitted to', { type: 'date' }),
    input('minTotal', 'Min total', { inputmode: 'decimal', placeholder: '0.00' }),
    input('maxTotal', 'Max total', { inputmode: 'decimal', placeholder: '0.00' }),
    h('div', { className: 'buttons filter-buttons' },
      h('button', { type: 'submit', className: 'button button-primary' }, 'Filter'),
      h('a', { href: '#/orders', className: 'button button-quiet', id: 'orders-reset' }, 'Reset'),
      h('button', { type: 'button', className: 'button', id: 'orders-csv', onclick: (/** @type {Event} */ e) => void onCsv(/** @type {HTMLButtonElement} */ (e.currentTarget)) }, '⇩ Download CSV')));
  return [
    h('div', { className: 'section-head' }, h('h2', { id: 'orders-title', tabindex: '-1' }, 'Orders ', h('span', { className: 'count', id: 'orders-count' }))),
    form,
    h('div', { id: 'orders-results' }),
  ];
}

/** @param {URLSearchParams} params */
function fillForm(params) {
  for (const name of FILTERS) {
    const el = document.getElementById(`f-${name}`);
    if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement) el.value = params.get(name) ?? '';
  }
}

/** The form's filled-in filters. */
function formParams() {
  const form = /** @type {HTMLFormElement} */ ($('orders-filter'));
  const q = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    const v = String(value).trim();
    if (v) q.set(name, v);
  }
  return q;
}

/** @param {Event} event */
function onFilter(event) {
  event.preventDefault();
  const q = formParams().toString();
  const hash = q ? `#/orders?${q}` : '#/orders';
  if (location.hash === hash) void showOrdersPage(formParams());
  else location.hash = hash;
}

/**
 * @param {OrderList} data
 * @param {URLSearchParams} params
 */
function renderResults(data, params) {
  const results = $('orders-results');
  $('orders-count').textContent = `(${data.items.length}${data.nextCursor ? '+' : ''}${params.get('cursor') ? ', a later page' : ''})`;
  if (data.items.length === 0) {
    results.replaceChildren(h('p', { className: 'empty', id: 'orders-empty' }, 'No order matches these filters.'));
    return;
  }
  const next = new URLSearchParams(params);
  if (data.nextCursor) next.set('cursor', data.nextCursor);
  results.replaceChildren(...[
    h('div', { className: 'table-scroll' },
      h('table', { className: 'orders-table', id: 'orders-table' },
        h('caption', { className: 'visually-hidden' }, 'Orders, newest first'),
        h('thead', {}, h('tr', {}, ['Order', 'Status', 'Customer', 'Channel', 'Total', 'Priority', 'Awaiting', 'Submitted'].map((c) => h('th', { scope: 'col', className: c === 'Total' ? 'num' : undefined }, c)))),
        h('tbody', {}, data.items.map((o) => {
          const [label, tone] = ORDER_STATUS[o.status] ?? [o.status, 'idle'];
          return h('tr', { dataset: { orderId: o.orderId } },
            h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(o.orderId)}`, className: 'order-link' }, o.orderId), o.revision > 1 ? h('span', { className: 'muted small' }, ` rev ${o.revision}`) : null),
            h('td', {}, h('span', { className: `badge badge-${tone}` }, label)),
            h('td', {}, o.customerId),
            h('td', {}, o.channel),
            h('td', { className: 'num' }, o.total),
            h('td', {}, o.priority === 'urgent' ? h('span', { className: 'badge badge-warn' }, '▲ Urgent') : h('span', { className: 'muted' }, 'Normal')),
            h('td', {}, o.awaiting.length ? o.awaiting.map(stepLabel).join(', ') : h('span', { className: 'muted' }, '—'),
              o.escalated ? h('span', { className: 'badge badge-bad' }, '⚑ Escalated') : null),
            h('td', {}, timeEl(o.submittedAt)));
        })))),
    data.nextCursor ? h('p', {}, h('a', { href: `#/orders?${next.toString()}`, id: 'orders-next' }, 'Next page →')) : null,
  ].filter((el) => el !== null));
}

/** Downloads the filtered list (this page size at most, and from the current page on) as CSV. @param {HTMLButtonElement} button */
async function onCsv(button) {
  button.disabled = true;
  const q = apiQuery(formParams());
  q.set('limit', '5000');
  const res = await getOrdersCsv(q);
  button.disabled = false;
  if (!res.ok) {
    if (res.status === 401) return sessionExpired();
    return flash(problemSentence({ ok: false, status: res.status, data: null, problem: res.problem }), 'bad');
  }
  const url = URL.createObjectURL(res.blob);
  const a = h('a', { href: url, download: res.filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  flash(`Downloaded ${res.filename}.`, 'ok');
}
