// @ts-check
// Approver console: native ES modules, no framework and no build step. Entry point: sign-in, routing and the
// polling that keeps the inbox and the open order current. #/ is the inbox, #/orders/<id>?step=<step> an order,
// #/orders?<filters> the order list, #/me who is signed in and being away, #/dashboard?days=30 the KPIs (dashboard.js).
import { getMe } from './api.js';
import { setUpBulk } from './bulk.js';
import { dashboardRoute, renderDashboardNav } from './dashboard.js';
import { showMePage } from './me-page.js';
import { showOrdersPage } from './orders-page.js';
import { $, flash, h } from './dom.js';
import { problemSentence, tickTimes } from './format.js';
import { invalidateInbox, loadPeople, markSelectedRow, refreshInbox, renderInbox } from './inbox.js';
import { refreshOrder, showLoading } from './order-view.js';
import { cleanToken, renderWho, sessionExpired, showSignInError, signOut, startSession } from './session.js';
import { hasInbox, POLL_MS, state } from './state.js';

/** @param {SubmitEvent} event */
async function onSignIn(event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('token'));
  const token = cleanToken(input.value);
  if (!token) {
    showSignInError('Paste your bearer token first.');
    input.focus();
    return;
  }
  const button = event.submitter instanceof HTMLButtonElement ? event.submitter : $('signin-form').querySelector('button');
  if (button) button.disabled = true;
  showSignInError('');
  const res = await getMe(token);
  if (button) button.disabled = false;
  if (res.status === 401) {
    showSignInError('Token not recognised. Check that you pasted the whole token.');
    input.focus();
    return;
  }
  if (!res.ok) {
    showSignInError(problemSentence(res));
    return;
  }
  startSession(token, res.data);
  input.value = '';
  state.auditAllowed = true;
  enterWorkspace();
  flash(hasInbox() ? `Signed in as ${res.data.name}.` : `Signed in as ${res.data.name}. Your role has no inbox; you can open orders by id.`, 'ok');
}

/** A token kept from earlier in this tab (a reload, a deep link): check whose it is, then carry on. */
async function resumeSession() {
  const res = await getMe();
  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    flash(`Could not load who you are: ${problemSentence(res)}`, 'bad');
    return;
  }
  state.me = res.data;
  renderWho(res.data);
  enterWorkspace();
}

function enterWorkspace() {
  $('signin').hidden = true;
  $('workspace').hidden = false;
  showSignInError('');
  renderDashboardNav();
  $('nav').hidden = false;
  clearInterval(state.timer);
  state.timer = setInterval(poll, POLL_MS);
  void loadPeople().then(() => refreshInbox());
  if (hasInbox()) $('inbox-body').replaceChildren(h('p', { className: 'muted' }, 'Loading your inbox…'));
  else renderInbox(null);
  void refreshInbox();
  void route();
}

let polls = 0;

function poll() {
  if (!state.token || document.hidden) return;
  tickTimes();
  void refreshInbox();
  if (state.orderId) void refreshOrder();
  // Now and then, who I am again: a colleague's delegation to me may have ended (or begun) meanwhile.
  if (++polls % 6 === 0) void refreshMe();
}

async function refreshMe() {
  const token = state.token;
  const res = await getMe();
  if (!res.ok || token !== state.token || !state.me) return;
  if (JSON.stringify(res.data) === JSON.stringify(state.me)) return;
  state.me = res.data;
  renderWho(res.data);
  // What the inbox and the decision form offer depends on it: draw them again.
  invalidateInbox();
  state.orderJson = '';
  void refreshInbox();
  if (state.orderId) void refreshOrder();
}

/**
 * Shows one page of the workspace: 'inbox' and 'order' share the screen, the others have it alone.
 * @param {'inbox' | 'order' | 'orders' | 'me'} view
 */
function showView(view) {
  document.body.dataset.view = view;
  $('orders-page').hidden = view !== 'orders';
  $('me-page').hidden = view !== 'me';
  for (const a of document.querySelectorAll('#nav a[data-nav]')) {
    if (!(a instanceof HTMLElement)) continue;
    const current = a.dataset.nav === view || (view === 'order' && a.dataset.nav === 'inbox');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function closeOrder() {
  state.orderId = null;
  state.order = null;
  state.orderJson = '';
  $('order').hidden = true;
}

async function route() {
  if (!state.token) return;
  if (dashboardRoute(location.hash)) {
    closeOrder();
    $('orders-page').hidden = true;
    $('me-page').hidden = true;
    for (const a of document.querySelectorAll('#nav a[data-nav]')) a.removeAttribute('aria-current');
    return;
  }
  const list = /^#\/orders(?:\?(.*))?$/.exec(location.hash);
  if (list) {
    closeOrder();
    showView('orders');
    await showOrdersPage(new URLSearchParams(list[1] ?? ''));
    return;
  }
  if (location.hash === '#/me') {
    closeOrder();
    showView('me');
    await showMePage();
    return;
  }
  const match = /^#\/orders\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  if (!match?.[1]) {
    state.orderId = null;
    state.order = null;
    state.orderJson = '';
    $('order').hidden = true;
    showView('inbox');
    markSelectedRow();
    return;
  }
  const orderId = decodeURIComponent(match[1]);
  const params = new URLSearchParams(match[2] ?? '');
  const changed = orderId !== state.orderId;
  state.orderId = orderId;
  state.preferredStep = params.get('step');
  $('order').hidden = false;
  showView('order');
  markSelectedRow();
  if (changed) {
    showLoading(orderId);
    // Opened from further down a long inbox: the order starts at its top (on a phone it replaces the inbox).
    window.scrollTo(0, 0);
  }
  await refreshOrder({ focus: changed });
}

/** @param {SubmitEvent} event */
function onLookup(event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('lookup-id'));
  const id = input.value.trim();
  if (!id) return input.focus();
  location.hash = `#/orders/${encodeURIComponent(id)}`;
}

function start() {
  $('signin-form').addEventListener('submit', (e) => void onSignIn(/** @type {SubmitEvent} */ (e)));
  $('sign-out').addEventListener('click', () => {
    signOut();
    flash('Signed out. The token was removed from this tab.', 'info');
    $('token').focus();
  });
  $('inbox-refresh').addEventListener('click', () => {
    invalidateInbox();
    void refreshInbox();
  });
  $('lookup-form').addEventListener('submit', (e) => onLookup(/** @type {SubmitEvent} */ (e)));
  setUpBulk();
  // A claim or a bulk decision made from the inbox: the open order shows it at once.
  document.addEventListener('console:step-changed', () => {
    if (state.orderId) void refreshOrder();
  });
  window.addEventListener('hashchange', () => void route());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) poll();
  });

  if (state.token) {
    $('signin').hidden = true; // until GET /v1/me says whether the token still works
    void resumeSession();
  } else {
    document.body.dataset.view = 'signin';
    $('signin').hidden = false;
  }
}

start();
