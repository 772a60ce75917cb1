// @ts-check
// Approver console: native ES modules, no framework and no build step. Entry point: sign-in, routing and the
// polling that keeps the inbox and the open order current. #/ is the inbox, #/orders/<id>?step=<step> an order,
// #/dashboard?days=30 the KPIs (dashboard.js).
import { getMe } from './api.js';
import { dashboardRoute, renderDashboardNav } from './dashboard.js';
import { $, flash, h } from './dom.js';
import { problemSentence, tickTimes } from './format.js';
import { invalidateInbox, markSelectedRow, refreshInbox, renderInbox } from './inbox.js';
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
  clearInterval(state.timer);
  state.timer = setInterval(poll, POLL_MS);
  if (hasInbox()) $('inbox-body').replaceChildren(h('p', { className: 'muted' }, 'Loading your inbox…'));
  else renderInbox(null);
  void refreshInbox();
  void route();
}

function poll() {
  if (!state.token || document.hidden) return;
  tickTimes();
  void refreshInbox();
  if (state.orderId) void refreshOrder();
}

async function route() {
  if (!state.token) return;
  if (dashboardRoute(location.hash)) return;
  const match = /^#\/orders\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  if (!match?.[1]) {
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
  if (changed) showLoading(orderId);
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
