// @ts-check
// #/me: who is signed in, and being away: name a colleague who sees and decides your departments' steps until a time
// (PUT /v1/me/delegation), and end it when back (DELETE). Also lists the colleagues who delegated to you.
import { deleteDelegation, getColleagues, getMe, putDelegation } from './api.js';
import { $, flash, h } from './dom.js';
import { absolute, problemSentence } from './format.js';
import { invalidateInbox, refreshInbox } from './inbox.js';
import { renderWho, sessionExpired } from './session.js';
import { hasInbox, personName, state } from './state.js';

/** @typedef {import('./types.js').Me} Me */

/** Draws the page from state.me, and fetches it again (a delegation may have started or ended meanwhile). */
export async function showMePage() {
  render();
  const res = await getMe();
  if (res.status === 401) return sessionExpired();
  if (!res.ok) return;
  setMe(res.data);
  render();
}

/** @param {Me} me */
function setMe(me) {
  state.me = me;
  state.people.set(me.id, me.name);
  for (const d of me.delegations) {
    if (d.fromName) state.people.set(d.from, d.fromName);
    if (d.toName) state.people.set(d.to, d.toName);
  }
  renderWho(me);
}

function render() {
  const me = state.me;
  const page = $('me-page');
  if (!me) return;
  const now = Date.now();
  const mine = me.delegations.find((d) => d.from === me.id && new Date(d.until).getTime() > now);
  const toMe = me.delegations.filter((d) => d.to === me.id && new Date(d.until).getTime() > now);
  const focusedId = document.activeElement instanceof HTMLElement && page.contains(document.activeElement) ? document.activeElement.id : '';
  page.replaceChildren(...[
    h('h2', { id: 'me-title', tabindex: '-1' }, me.name),
    h('dl', { className: 'facts' },
      fact('Id', me.id),
      fact('Roles', me.roles.join(', ')),
      fact('Decides for', me.departments.length ? me.departments.join(', ') : 'no department')),
    hasInbox() ? awaySection(me, mine) : h('p', { className: 'muted' }, 'Only approvers decide steps, so there is nothing to delegate.'),
    toMe.length
      ? h('section', { className: 'sub', 'aria-labelledby': 'to-me-title', id: 'delegated-to-me' },
        h('h3', { id: 'to-me-title' }, 'Colleagues away, for whom you decide'),
        h('ul', {}, toMe.map((d) => h('li', {},
          h('strong', {}, personName(d.from)), ` is away until ${absolute(d.until)}: their ${d.departments.join(', ')} steps are in your inbox, and you decide them on their behalf.`))))
      : null,
  ].filter((el) => el !== null));
  if (focusedId) document.getElementById(focusedId)?.focus();
}

/**
 * @param {Me} me
 * @param {import('./types.js').Delegation | undefined} mine
 */
function awaySection(me, mine) {
  if (mine) {
    return h('section', { className: 'sub', 'aria-labelledby': 'away-title', id: 'away' },
      h('h3', { id: 'away-title' }, 'You are away'),
      h('p', { className: 'message message-wait', id: 'away-status' },
        `Until ${absolute(mine.until)}, ${personName(mine.to)} sees and decides your ${mine.departments.join(', ')} steps; their decisions say they were on your behalf.`),
      h('button', { type: 'button', id: 'end-away', className: 'button', onclick: (/** @type {Event} */ e) => void onBack(/** @type {HTMLButtonElement} */ (e.currentTarget)) }, "I'm back: end the delegation"));
  }
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setHours(18, 0, 0, 0);
  const list = h('datalist', { id: 'delegate-options' });
  void fillDelegates(list);
  return h('section', { className: 'sub', 'aria-labelledby': 'away-title', id: 'away' },
    h('h3', { id: 'away-title' }, 'Away? Name a delegate'),
    h('p', { className: 'muted' }, `Until you are back, the colleague you name sees your ${me.departments.join(', ')} steps in their inbox and decides them on your behalf. Segregation of duties still applies to them.`),
    h('form', { id: 'away-form', className: 'away-form', novalidate: true, onsubmit: (/** @type {SubmitEvent} */ e) => void onAway(e) },
      h('div', { className: 'field' },
        h('label', { for: 'delegate-to' }, 'Delegate (principal id)'),
        h('input', { id: 'delegate-to', name: 'to', list: 'delegate-options', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'away-error' }),
        list),
      h('div', { className: 'field' },
        h('label', { for: 'delegate-until' }, 'Away until'),
        h('input', { id: 'delegate-until', name: 'until', type: 'datetime-local', required: true, value: localInputValue(tomorrow) })),
      h('p', { id: 'away-error', className: 'field-error', role: 'alert' }),
      h('button', { type: 'submit', className: 'button button-primary' }, 'Mark me away')));
}

/** @param {HTMLDataListElement} list */
async function fillDelegates(list) {
  const res = await getColleagues();
  if (!res.ok) return;
  for (const c of res.data.items) state.people.set(c.id, c.name);
  list.replaceChildren(...res.data.items.map((c) => h('option', { value: c.id }, `${c.name} (${c.departments.join(', ')})`)));
}

/** @param {SubmitEvent} event */
async function onAway(event) {
  event.preventDefault();
  const to = /** @type {HTMLInputElement} */ ($('delegate-to')).value.trim();
  const untilRaw = /** @type {HTMLInputElement} */ ($('delegate-until')).value;
  const error = $('away-error');
  error.textContent = '';
  if (!to) {
    error.textContent = 'Name the colleague who decides for you.';
    return $('delegate-to').focus();
  }
  const until = new Date(untilRaw);
  if (!untilRaw || Number.isNaN(until.getTime())) {
    error.textContent = 'Say until when you are away.';
    return $('delegate-until').focus();
  }
  const res = await putDelegation(to, until.toISOString());
  if (res.status === 401) return sessionExpired();
  if (!res.ok) {
    const fields = res.problem?.errors?.map((e) => e.message).join('; ');
    error.textContent = fields ? `${problemSentence(res)} (${fields})` : problemSentence(res);
    return;
  }
  if (res.data.toName) state.people.set(res.data.to, res.data.toName);
  flash(`You are away until ${absolute(res.data.until)}; ${personName(res.data.to)} decides for you.`, 'ok');
  await showMePage();
  $('end-away').focus();
}

/** @param {HTMLButtonElement} button */
async function onBack(button) {
  button.disabled = true;
  const res = await deleteDelegation();
  button.disabled = false;
  if (res.status === 401) return sessionExpired();
  if (!res.ok && res.status !== 404) return flash(problemSentence(res), 'bad');
  flash('Welcome back: your steps are yours alone again.', 'ok');
  invalidateInbox();
  void refreshInbox();
  await showMePage();
}

/**
 * @param {string} label
 * @param {import('./dom.js').Child} value
 */
function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

/** A Date as a datetime-local input's value, in the browser's zone. @param {Date} d */
function localInputValue(d) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
