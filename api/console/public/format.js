// @ts-check
// Times and problem sentences as the console shows them (the words for steps and statuses are in labels.js).
import { h } from './dom.js';
import { personName } from './state.js';

/** @typedef {import('./types.js').ApiResult<unknown>} AnyResult */

/**
 * "12 min", "3 h 5 min", "2 d 4 h"; "<1 min" below a minute.
 * @param {number} ms
 */
export function duration(ms) {
  const min = Math.floor(Math.abs(ms) / 60000);
  if (min < 1) return '<1 min';
  if (min < 60) return `${min} min`;
  const hours = Math.floor(min / 60);
  if (hours < 24) return min % 60 ? `${hours} h ${min % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** @param {string} iso */
export function absolute(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? `today ${timeFormat.format(d)}` : dateTimeFormat.format(d);
}

/**
 * Text of a relative time element, recomputed on every tick.
 * @param {HTMLElement} el
 */
function relativeText(el) {
  const iso = el.getAttribute('datetime') ?? '';
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

/**
 * A <time> whose text stays current: 'since' (time waiting), 'due' (in / overdue) or 'at' (absolute).
 * @param {string | null | undefined} iso
 * @param {'at' | 'since' | 'due'} [rel]
 * @param {string} [className]
 */
export function timeEl(iso, rel = 'at', className) {
  if (!iso) return h('span', { className: 'muted' }, '—');
  const el = h('time', { datetime: iso, title: dateTimeFormat.format(new Date(iso)), className, dataset: { rel } });
  el.textContent = relativeText(el);
  if (rel === 'due') el.classList.toggle('overdue', new Date(iso).getTime() < Date.now());
  return el;
}

/** Moves every relative time on the page on. */
export function tickTimes() {
  for (const el of document.querySelectorAll('time[data-rel]')) {
    if (!(el instanceof HTMLElement)) continue;
    el.textContent = relativeText(el);
    if (el.dataset.rel === 'due') el.classList.toggle('overdue', new Date(el.getAttribute('datetime') ?? '').getTime() < Date.now());
  }
}

/**
 * A finding's code in a few words: CREDIT_LIMIT_EXCEEDED → "Credit limit exceeded".
 * @param {string} code
 */
export function findingWords(code) {
  const words = code.toLowerCase().replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Readable problem detail: ISO timestamps in the API's sentence become local date-times.
 * @param {unknown} detail
 */
export function humanDetail(detail) {
  return String(detail ?? '').replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => absolute(iso));
}

/**
 * One clear sentence for a failed API call; `detail` comes from the problem+json body.
 * @param {AnyResult} res
 */
export function problemSentence(res) {
  const detail = humanDetail(res.problem?.detail ?? '');
  /** @param {string} lead */
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
      // "step credit is claimed by fin-2 since …": the claimer by name when the console knows it.
      if (/claimed by/i.test(detail)) return `Claimed by a colleague: ${detail.replace(/claimed by ([A-Za-z0-9._-]+)/, (_m, id) => `claimed by ${personName(String(id))}`)}`;
      if (/^order is /i.test(detail)) return `Order finished: ${detail}`;
      return withDetail('Not awaiting a decision');
    case 429:
      return 'Too many requests: wait a moment and try again.';
    default:
      return res.status >= 500 ? 'The server failed to answer. Try again in a moment.' : withDetail(`Request failed (${res.status})`);
  }
}
