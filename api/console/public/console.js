// Approver console: a single ES module, no framework and no build step. It talks to the JSON API on the same
// origin with the bearer token the user pasted, kept in sessionStorage only (gone when the tab closes).
// Every value from the API reaches the page through textContent / attributes, never innerHTML.

const TOKEN_KEY = 'order-review.console.token';
const POLL_MS = 5000;
const INBOX_LIMIT = 200;

/** The review plan as the built-in policy runs it; steps of one inner array run side by side. */
const PLAN = [['intake'], ['info_check'], ['credit', 'capacity', 'materials', 'special_requirements'], ['final_approval']];

const STEP_LABELS = {
  intake: 'Intake',
  info_check: 'Info check',
  credit: 'Credit',
  capacity: 'Capacity',
  materials: 'Materials',
  special_requirements: 'Special requirements',
  final_approval: 'Final approval',
};

/** Status → [label, glyph, tone]. The glyph and label carry the meaning; colour only repeats it. */
const STEP_STATUS = {
  pending: ['Pending', '○', 'idle'],
  running: ['Checking', '◔', 'busy'],
  awaiting_decision: ['Awaiting decision', '●', 'wait'],
  auto_approved: ['Auto-approved', '✓', 'ok'],
  approved: ['Approved', '✓', 'ok'],
  rejected: ['Rejected', '✕', 'bad'],
  changes_requested: ['Changes requested', '↺', 'warn'],
  skipped: ['Skipped', '–', 'idle'],
  timed_out: ['Timed out', '⌛', 'bad'],
  cancelled: ['Cancelled', '✕', 'idle'],
};

const ORDER_STATUS = {
  in_review: ['In review', 'wait'],
  changes_requested: ['Changes requested', 'warn'],
  approved: ['Approved', 'ok'],
  rejected: ['Rejected', 'bad'],
  cancelled: ['Cancelled', 'idle'],
  expired: ['Expired', 'bad'],
};

const DECISION_LABELS = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' };
const DECISION_VERBS = { approve: 'approved', reject: 'rejected', request_changes: 'requested changes on' };

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** False once the API said 403 to the inbox: the principal has no approver role. */
  hasInbox: true,
  inboxJson: '',
  orderId: null,
  /** The step to preselect in the decision form (from the inbox row that opened the order). */
  preferredStep: null,
  order: null,
  orderJson: '',
  /** False once the API said 403 to an audit request: approvers may not read the audit trail. */
  auditAllowed: true,
  timer: null,
  inboxLoading: false,
  orderLoading: false,
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers

/** Creates an element: h('p', { className: 'x', 'aria-live': 'polite' }, 'text', child). */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let flashTimer;
function flash(message, tone = 'info') {
  const box = $('flash');
  box.className = `flash flash-${tone}`;
  // Clearing first makes screen readers announce the same sentence twice in a row.
  box.textContent = '';
  clearTimeout(flashTimer);
  requestAnimationFrame(() => {
    box.textContent = message;
  });
  // Good news fades after a while; a problem stays until the next message.
  if (tone !== 'bad') flashTimer = setTimeout(() => (box.textContent = ''), 15000);
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

function stepLabel(step) {
  return STEP_LABELS[step] ?? step;
}

function capitalise(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** "12 min", "3 h 5 min", "2 d 4 h"; "<1 min" below a minute. */
function duration(ms) {
  const min = Math.floor(Math.abs(ms) / 60000);
  if (min < 1) return '<1 min';
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return min % 60 ? `${hours} h ${min % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function absolute(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? `today ${timeFormat.format(d)}` : dateTimeFormat.format(d);
}

/** Text of a relative time element, recomputed on every tick. */
function relativeText(el) {
  const iso = el.getAttribute('datetime');
  const delta = new Date(iso).getTime() - Date.now();
  switch (el.dataset.rel) {
    case 'since':
      return duration(delta);
    case 'due':
      return delta >= 0 ? `in ${duration(delta)}` : `overdue ${duration(delta)}`;
    default:
      return absolute(iso);
  }
}

/** <time> whose text stays current: 'since' (time waiting), 'due' (in / overdue) or 'at' (absolute). */
function timeEl(iso, rel = 'at', className) {
  if (!iso) return h('span', { className: 'muted' }, '—');
  const el = h('time', { datetime: iso, title: dateTimeFormat.format(new Date(iso)), className, dataset: { rel } });
  el.textContent = relativeText(el);
  if (rel === 'due') el.classList.toggle('overdue', new Date(iso).getTime() < Date.now());
  return el;
}

function tickTimes() {
  for (const el of document.querySelectorAll('time[data-rel]')) {
    el.textContent = relativeText(el);
    if (el.dataset.rel === 'due') el.classList.toggle('overdue', new Date(el.getAttribute('datetime')).getTime() < Date.now());
  }
}

/** Readable problem detail: ISO timestamps in the API's sentence become local date-times. */
function humanDetail(detail) {
  return String(detail ?? '').replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => absolute(iso));
}

/** One clear sentence for a failed API call; `detail` comes from the problem+json body. */
function problemSentence(res) {
  const detail = humanDetail(res.problem?.detail ?? '');
  const withDetail = (lead) => (detail ? `${lead}: ${detail}` : `${lead}.`);
  switch (res.status) {
    case 0:
      return 'The server could not be reached. Check your connection and try again.';
    case 400:
      return withDetail('Please check the form');
    case 401:
      return 'Your token is not recognised (any more). Sign in again.';
    case 403:
      return withDetail('Not allowed');
    case 404:
      return withDetail('Not found');
    case 409:
      if (/already decided/i.test(detail)) return `Already decided: ${detail}`;
      if (/^order is /i.test(detail)) return `Order finished: ${detail}`;
      return withDetail('Not awaiting a decision');
    case 429:
      return 'Too many requests: wait a moment and try again.';
    default:
      return res.status >= 500 ? 'The server failed to answer. Try again in a moment.' : withDetail(`Request failed (${res.status})`);
  }
}

/** A UUID for the Idempotency-Key header; randomUUID needs a secure context, so fall back to getRandomValues. */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// API

/** fetch with the bearer token; never throws: { ok, status, data, problem }. */
async function api(method, path, { body, headers = {}, token = state.token } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json, application/problem+json',
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, data: null, problem: null };
  }
  let json = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = await res.json();
    } catch {
      json = null;
    }
  }
  return res.ok ? { ok: true, status: res.status, data: json, problem: null } : { ok: false, status: res.status, data: null, problem: json };
}

/** A 401 during the session: the token was revoked. Back to the sign-in form, with a reason. */
function sessionExpired() {
  signOut();
  showSignInError('Your token is no longer recognised (it may have been revoked). Sign in again.');
}

// ---------------------------------------------------------------------------------------------------------------
// Sign in / out

function showSignInError(message) {
  const input = $('token');
  $('signin-error').textContent = message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
}

async function onSignIn(event) {
  event.preventDefault();
  // People paste the whole header value as often as the token.
  const token = $('token').value.trim().replace(/^Bearer\s+/i, '');
  if (!token) {
    showSignInError('Paste your bearer token first.');
    $('token').focus();
    return;
  }
  const button = event.submitter ?? $('signin-form').querySelector('button');
  button.disabled = true;
  showSignInError('');
  const res = await api('GET', `/v1/inbox?limit=${INBOX_LIMIT}`, { token });
  button.disabled = false;
  if (res.status === 401) {
    showSignInError('Token not recognised. Check that you pasted the whole token.');
    $('token').focus();
    return;
  }
  if (!res.ok && res.status !== 403) {
    showSignInError(problemSentence(res));
    return;
  }
  // 403: a valid token without an approver role (an auditor, say): no inbox, but orders can still be opened.
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token').value = '';
  state.hasInbox = res.ok;
  state.auditAllowed = true;
  enterWorkspace();
  if (res.ok) renderInbox(res.data);
  else renderInbox(null);
  flash(res.ok ? 'Signed in.' : 'Signed in. Your role has no inbox; you can open orders by id.', 'ok');
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state, { token: null, hasInbox: true, inboxJson: '', order: null, orderJson: '', orderId: null, auditAllowed: true });
  clearInterval(state.timer);
  state.timer = null;
  $('workspace').hidden = true;
  $('session').hidden = true;
  $('signin').hidden = false;
  $('inbox-body').replaceChildren();
  $('order-body').replaceChildren();
  if (location.hash && location.hash !== '#/') history.replaceState(null, '', '#/');
  document.body.dataset.view = 'signin';
}

function enterWorkspace() {
  $('signin').hidden = true;
  $('workspace').hidden = false;
  $('session').hidden = false;
  showSignInError('');
  clearInterval(state.timer);
  state.timer = setInterval(poll, POLL_MS);
  void route();
}

function poll() {
  if (!state.token || document.hidden) return;
  tickTimes();
  void refreshInbox();
  if (state.orderId) void refreshOrder();
}

// ---------------------------------------------------------------------------------------------------------------
// Inbox

async function refreshInbox() {
  if (!state.hasInbox || state.inboxLoading || !state.token) return;
  state.inboxLoading = true;
  const token = state.token;
  try {
    const res = await api('GET', `/v1/inbox?limit=${INBOX_LIMIT}`);
    if (token !== state.token) return; // signed out (or in as someone else) meanwhile
    if (res.status === 401) return sessionExpired();
    if (res.status === 403) {
      state.hasInbox = false;
      renderInbox(null);
      return;
    }
    if (!res.ok) {
      $('inbox-updated').textContent = `Refresh failed: ${problemSentence(res)}`;
      return;
    }
    renderInbox(res.data);
  } finally {
    state.inboxLoading = false;
  }
}

function renderInbox(data) {
  const body = $('inbox-body');
  const note = $('inbox-note');
  $('inbox-updated').textContent = `Updated ${timeFormat.format(new Date())}`;
  if (!state.hasInbox) {
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

  const focusedKey = body.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
  if (items.length === 0) {
    body.replaceChildren(h('p', { className: 'empty' }, 'Nothing awaits your decision. New steps appear here by themselves.'));
    return;
  }
  const rows = items.map((item) => {
    const key = `${item.orderId}/${item.step}`;
    const href = `#/orders/${encodeURIComponent(item.orderId)}?step=${encodeURIComponent(item.step)}`;
    const selected = state.orderId === item.orderId;
    // One wrapper per cell: the cells become a grid of cards when the inbox is narrow (see console.css).
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
  });
  const table = h(
    'table',
    { className: 'inbox-table' },
    h('caption', { className: 'visually-hidden' }, 'Steps awaiting your decision, most urgent first'),
    h('thead', {}, h('tr', {}, ['Order', 'Step', 'Customer', 'Total', 'Priority', 'Waiting', 'Due'].map((c) => h('th', { scope: 'col', className: c === 'Total' ? 'num' : undefined }, c)))),
    h('tbody', {}, rows),
  );
  body.replaceChildren(table);
  if (focusedKey) body.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
}

// ---------------------------------------------------------------------------------------------------------------
// Routing: #/ is the inbox, #/orders/<id>?step=<step> opens an order.

async function route() {
  if (!state.token) return;
  const match = /^#\/orders\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  if (!match) {
    state.orderId = null;
    state.order = null;
    state.orderJson = '';
    $('order').hidden = true;
    document.body.dataset.view = 'inbox';
    markSelectedRow();
    return;
  }
  const orderId = decodeURIComponent(match[1]);
  const params = new URLSearchParams(match[2] ?? '');
  const changed = orderId !== state.orderId;
  state.orderId = orderId;
  state.preferredStep = params.get('step');
  $('order').hidden = false;
  document.body.dataset.view = 'order';
  markSelectedRow();
  if (changed) {
    state.order = null;
    state.orderJson = '';
    $('order-body').replaceChildren(h('p', { className: 'muted' }, `Loading order ${orderId}…`));
  }
  await refreshOrder({ focus: changed });
}

function markSelectedRow() {
  for (const tr of document.querySelectorAll('.inbox-table tbody tr')) {
    const selected = tr.dataset.orderId === state.orderId;
    tr.classList.toggle('selected', selected);
    const link = tr.querySelector('a');
    if (selected) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Order view

async function refreshOrder({ focus = false } = {}) {
  const orderId = state.orderId;
  if (!orderId || state.orderLoading) return;
  state.orderLoading = true;
  const token = state.token;
  try {
    const res = await api('GET', `/v1/orders/${encodeURIComponent(orderId)}`);
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

function renderOrder(order, { focus = false } = {}) {
  const json = JSON.stringify(order);
  state.order = order;
  if (json === state.orderJson) return tickTimes();
  state.orderJson = json;

  const body = $('order-body');
  // The decision form survives a refresh as long as the same steps await: a half-typed comment is not lost.
  const oldForm = body.querySelector('#decision-form');
  const decisionKey = `${order.orderId}|${order.status}|${order.awaiting.join(',')}`;
  const panel = oldForm && oldForm.dataset.key === decisionKey ? oldForm.closest('.decision') : decisionPanel(order, decisionKey, oldForm);
  const oldAudit = body.querySelector('#audit');

  const [statusLabel, statusTone] = ORDER_STATUS[order.status] ?? [order.status, 'idle'];
  const o = order.order;
  body.replaceChildren(...[
    h('div', { className: 'order-head' },
      h('h2', { id: 'order-title', tabindex: '-1' }, `Order ${order.orderId}`),
      h('span', { className: `badge badge-${statusTone}`, id: 'order-status' }, statusLabel)),
    h('dl', { className: 'facts' },
      fact('Customer', order.customerId),
      fact('Total', `${o.total} ${o.currency}`),
      fact('Priority', order.priority === 'urgent' ? '▲ Urgent' : 'Normal'),
      fact('Revision', String(order.revision)),
      fact('Submitted', [timeEl(order.submittedAt), order.submittedBy ? ` by ${order.submittedBy}` : '']),
      fact('Updated', timeEl(order.updatedAt)),
      order.completedAt ? fact('Completed', timeEl(order.completedAt)) : null),
    order.outcome ? outcomeBox(order.outcome) : null,
    waitingSummary(order),
    stagePlan(order),
    panel,
    orderDetails(order),
    riskSection(order.risk),
    stepsSection(order),
    oldAudit ?? h('section', { id: 'audit', className: 'sub audit', 'aria-labelledby': 'audit-title', hidden: true }),
  ].filter(Boolean));
  void refreshAudit(order.orderId);
  markSelectedRow();
  if (focus) $('order-title').focus();
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function outcomeBox(outcome) {
  const [label, tone] = ORDER_STATUS[outcome.status] ?? [outcome.status, 'idle'];
  return h('p', { className: `message message-${tone}`, id: 'order-outcome' },
    h('strong', {}, `${label}`), outcome.step ? ` at ${stepLabel(outcome.step)}` : '', ` — ${outcome.reason} (`, timeEl(outcome.at), ')');
}

function waitingSummary(order) {
  const waiting = order.steps.filter((s) => s.status === 'awaiting_decision');
  if (order.status !== 'in_review') return null;
  if (waiting.length === 0) return h('p', { className: 'waiting-summary muted', id: 'waiting-summary' }, 'Automatic checks are running; no department is needed right now.');
  return h('p', { className: 'waiting-summary', id: 'waiting-summary' },
    'Waiting for ',
    waiting.flatMap((s, i) => [i ? ', ' : '', h('strong', {}, capitalise(s.department)), ` (${stepLabel(s.step).toLowerCase()})`]),
    '.');
}

/** The plan as a flow: stages left to right (top to bottom on a phone), parallel steps stacked within a stage. */
function stagePlan(order) {
  const byId = new Map(order.steps.map((s) => [s.step, s]));
  const planned = new Set(PLAN.flat());
  // A step the plan does not know (a future policy) still shows, as a stage of its own before final approval.
  const extra = order.steps.filter((s) => !planned.has(s.step)).map((s) => [s.step]);
  const stages = [...PLAN.slice(0, -1), ...extra, PLAN[PLAN.length - 1]];
  return h('section', { className: 'sub', 'aria-labelledby': 'plan-title' },
    h('h3', { id: 'plan-title' }, 'Review plan'),
    h('ol', { className: 'plan', id: 'stage-plan' },
      stages.map((stage, i) => {
        const steps = stage.map((id) => byId.get(id) ?? { step: id, department: '', status: 'pending', escalated: false, decision: null });
        return h('li', { className: `stage${stage.length > 1 ? ' stage-parallel' : ''}`, 'aria-label': `Stage ${i + 1}${stage.length > 1 ? ', side by side' : ''}` },
          stage.length > 1 ? h('span', { className: 'stage-note' }, 'side by side') : null,
          h('ul', { className: 'stage-steps' }, steps.map(planNode)));
      })));
}

function planNode(s) {
  const [label, glyph, tone] = STEP_STATUS[s.status] ?? [s.status, '?', 'idle'];
  return h('li', { className: `node node-${tone}${s.status === 'awaiting_decision' ? ' node-current' : ''}`, dataset: { step: s.step, status: s.status } },
    h('span', { className: 'node-name' }, stepLabel(s.step)),
    s.department && s.department !== 'system' ? h('span', { className: 'node-dept' }, s.department) : null,
    h('span', { className: 'node-status' }, h('span', { 'aria-hidden': 'true' }, `${glyph} `), label),
    s.status === 'awaiting_decision' && s.dueAt ? h('span', { className: 'node-due' }, 'due ', timeEl(s.dueAt, 'due')) : null,
    s.escalated ? h('span', { className: 'badge badge-bad' }, '⚑ Escalated') : null);
}

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
            s.waitingSince ? ['Waiting ', timeEl(s.waitingSince, 'since'), '. '] : null,
            s.dueAt ? ['Due ', timeEl(s.dueAt, 'due'), ` (${absolute(s.dueAt)}).`] : null)
          : null,
        s.decision
          ? h('p', { className: 'decision-made' },
            h('strong', {}, DECISION_LABELS[s.decision.decision] ?? s.decision.decision), ` by ${s.decision.by}, `, timeEl(s.decision.at),
            s.decision.comment ? [': ', h('q', {}, s.decision.comment)] : null)
          : null);
    })));
}

// ---------------------------------------------------------------------------------------------------------------
// Deciding

function decisionPanel(order, key, oldForm) {
  const awaiting = order.steps.filter((s) => s.status === 'awaiting_decision');
  if (order.status !== 'in_review' || awaiting.length === 0) return null;
  const preferred = awaiting.find((s) => s.step === state.preferredStep) ?? awaiting[0];
  const carriedComment = oldForm?.querySelector('textarea')?.value ?? '';

  const form = h('form', { id: 'decision-form', novalidate: true, dataset: { key }, onsubmit: onDecide },
    h('div', { className: 'field' },
      h('label', { for: 'decision-step' }, 'Step'),
      h('select', { id: 'decision-step', name: 'step' },
        awaiting.map((s) => h('option', { value: s.step, selected: s.step === preferred.step }, `${stepLabel(s.step)} (${s.department}${s.escalated ? ', escalated' : ''})`)))),
    h('div', { className: 'field' },
      h('label', { for: 'decision-comment' }, 'Comment ', h('span', { className: 'muted small' }, '(required to reject or request changes)')),
      h('textarea', { id: 'decision-comment', name: 'comment', rows: '3', maxlength: '2000', 'aria-describedby': 'decision-comment-error' }),
      h('p', { id: 'decision-comment-error', className: 'field-error' })),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', name: 'decision', value: 'approve', className: 'button button-ok' }, '✓ Approve'),
      h('button', { type: 'submit', name: 'decision', value: 'request_changes', className: 'button button-warn' }, '↺ Request changes'),
      h('button', { type: 'submit', name: 'decision', value: 'reject', className: 'button button-bad' }, '✕ Reject')),
    h('div', { id: 'decision-error', className: 'message message-bad', role: 'alert', hidden: true }));
  form.querySelector('textarea').value = carriedComment;
  return h('section', { className: 'sub decision', 'aria-labelledby': 'decide-title' }, h('h3', { id: 'decide-title' }, 'Decide'), form);
}

function showDecisionError(message, fieldErrors = []) {
  const box = $('decision-error');
  if (!box) return flash(message, 'bad');
  box.replaceChildren(h('p', {}, message));
  if (fieldErrors.length) box.append(h('ul', {}, fieldErrors.map((e) => h('li', {}, `${e.path}: ${e.message}`))));
  box.hidden = false;
}

async function onDecide(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const decision = event.submitter?.value ?? 'approve';
  const step = form.elements.step.value;
  const commentEl = form.elements.comment;
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
  // A fresh key per click: a network retry of this click is safe, a second click is a second attempt.
  const res = await api('POST', `/v1/orders/${encodeURIComponent(orderId)}/steps/${encodeURIComponent(step)}/decision`, {
    body: { decision, comment: comment || null },
    headers: { 'Idempotency-Key': uuid() },
  });
  buttons.forEach((b) => (b.disabled = false));
  form.removeAttribute('aria-busy');

  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    const errors = res.problem?.errors ?? [];
    if (errors.some((e) => /comment/.test(e.path))) {
      commentEl.setAttribute('aria-invalid', 'true');
      commentError.textContent = errors.find((e) => /comment/.test(e.path)).message;
    }
    showDecisionError(problemSentence(res), errors);
    // A 409 means the order moved on under us: show where it is now.
    if (res.status === 409) {
      void refreshOrder();
      void refreshInbox();
    }
    return;
  }
  commentEl.value = '';
  flash(`You ${DECISION_VERBS[decision]} the ${stepLabel(step).toLowerCase()} step of order ${orderId}.`, 'ok');
  // The form is gone with the decided step: the keyboard continues from the top of the order.
  if (res.data && res.data.orderId === state.orderId) renderOrder(res.data, { focus: true });
  void refreshInbox();
  // The workflow goes on after the decision (the next stage starts a moment later): look again soon.
  setTimeout(() => void refreshOrder(), 1000);
}

// ---------------------------------------------------------------------------------------------------------------
// Audit timeline (auditors and admins; approvers get 403 and the section stays hidden)

async function refreshAudit(orderId) {
  const section = $('audit');
  if (!state.auditAllowed) return;
  const token = state.token;
  const res = await api('GET', `/v1/orders/${encodeURIComponent(orderId)}/audit`);
  if (orderId !== state.orderId || token !== state.token || !section.isConnected) return;
  if (res.status === 403) {
    state.auditAllowed = false;
    section.hidden = true;
    return;
  }
  if (!res.ok || !res.data) {
    section.hidden = true;
    return;
  }
  const events = res.data.events ?? [];
  section.replaceChildren(
    h('h3', { id: 'audit-title' }, 'Audit trail'),
    events.length
      ? h('ol', { className: 'timeline' }, events.map((e) => h('li', {},
        timeEl(e.at, 'at', 'small muted'), ' ',
        h('strong', {}, e.type.replace(/_/g, ' ')),
        e.step ? ` · ${stepLabel(e.step)}` : '',
        e.actor ? ` · ${e.actor}` : '',
        auditDetail(e.detail))))
      : h('p', { className: 'muted' }, 'No events yet.'));
  section.hidden = false;
}

function auditDetail(detail) {
  if (!detail || typeof detail !== 'object') return null;
  const parts = Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${detailValue(v)}`);
  return parts.length ? h('div', { className: 'small muted audit-detail' }, parts.join(' · ')) : null;
}

/** A detail value in a few words: findings by code (their messages are in the steps), risk by score. */
function detailValue(v) {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? (x.code ?? JSON.stringify(x)) : String(x))).join(', ');
  if (v && typeof v === 'object') return 'score' in v ? String(v.score) : JSON.stringify(v);
  return typeof v === 'string' ? humanDetail(v) : String(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Start

function onLookup(event) {
  event.preventDefault();
  const input = $('lookup-id');
  const id = input.value.trim();
  if (!id) return input.focus();
  location.hash = `#/orders/${encodeURIComponent(id)}`;
}

function start() {
  $('signin-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', () => {
    signOut();
    flash('Signed out. The token was removed from this tab.', 'info');
    $('token').focus();
  });
  $('inbox-refresh').addEventListener('click', () => {
    state.inboxJson = '';
    void refreshInbox();
  });
  $('lookup-form').addEventListener('submit', onLookup);
  window.addEventListener('hashchange', () => void route());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });

  if (state.token) {
    enterWorkspace();
    void refreshInbox();
  } else {
    document.body.dataset.view = 'signin';
    $('signin').hidden = false;
  }
}

start();
