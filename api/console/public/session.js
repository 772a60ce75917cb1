// @ts-check
// Who is signed in: the token of this tab, the principal behind it, and signing out.
import { $ } from './dom.js';
import { state, TOKEN_KEY } from './state.js';

/** @typedef {import('./types.js').Me} Me */

/**
 * The token as pasted: people paste the whole header value as often as the token.
 * @param {string} raw
 */
export function cleanToken(raw) {
  return raw.trim().replace(/^Bearer\s+/i, '');
}

/**
 * Keeps the token for this tab and shows who it belongs to.
 * @param {string} token
 * @param {Me} me
 */
export function startSession(token, me) {
  state.token = token;
  state.me = me;
  sessionStorage.setItem(TOKEN_KEY, token);
  renderWho(me);
}

/**
 * "Fiona Finance · finance approver" in the top bar; the id and roles in its tooltip.
 * @param {Me} me
 */
export function renderWho(me) {
  const label = $('session-label');
  const roles = [
    ...me.departments.map((d) => `${d} approver`),
    ...me.roles.filter((r) => !r.startsWith('approver:')),
  ];
  label.replaceChildren();
  label.append('Signed in as ');
  const name = document.createElement('strong');
  name.id = 'session-name';
  name.textContent = me.name;
  label.append(name, roles.length ? ` · ${roles.join(', ')}` : '');
  label.title = `${me.id}: ${me.roles.join(', ')}`;
  $('session').hidden = false;
}

/** @param {string} message */
export function showSignInError(message) {
  $('signin-error').textContent = message;
  $('token').setAttribute('aria-invalid', message ? 'true' : 'false');
}

/** Forgets the token and everything shown with it; back to the sign-in form. */
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(state.timer);
  Object.assign(state, { token: null, me: null, inboxJson: '', order: null, orderJson: '', orderId: null, auditAllowed: true, timer: undefined });
  state.selected.clear();
  state.people.clear();
  state.colleagues.clear();
  $('workspace').hidden = true;
  $('session').hidden = true;
  $('nav').hidden = true;
  $('orders-page').replaceChildren();
  $('me-page').replaceChildren();
  $('bulk-form').hidden = true;
  $('bulk-results').hidden = true;
  $('bulk-results').replaceChildren();
  $('session-label').replaceChildren();
  $('signin').hidden = false;
  $('inbox-body').replaceChildren();
  $('order-body').replaceChildren();
  if (location.hash && location.hash !== '#/') history.replaceState(null, '', '#/');
  document.body.dataset.view = 'signin';
}

/** A 401 during the session: the token was revoked. Back to the sign-in form, with a reason. */
export function sessionExpired() {
  signOut();
  showSignInError('Your token is no longer recognised (it may have been revoked). Sign in again.');
}
