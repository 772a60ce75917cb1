// @ts-check
// The JSON API on the same origin, with the bearer token of this tab. One function per call the console makes.
import { state } from './state.js';

/** @typedef {import('./types.js').Me} Me */
/** @typedef {import('./types.js').Order} Order */
/** @typedef {import('./types.js').InboxPage} InboxPage */
/** @typedef {import('./types.js').AuditTrail} AuditTrail */
/** @typedef {import('./types.js').DecisionKind} DecisionKind */
/**
 * @template T
 * @typedef {import('./types.js').ApiResult<T>} ApiResult
 */

/**
 * fetch with the bearer token; never throws.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string>, token?: string | null }} [options]
 * @returns {Promise<ApiResult<unknown>>}
 */
async function request(method, path, { body, headers = {}, token = state.token } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json, application/problem+json',
        Authorization: `Bearer ${token ?? ''}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, data: null, problem: null };
  }
  /** @type {unknown} */
  let json = null;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = await res.json();
    } catch {
      json = null;
    }
  }
  return res.ok
    ? { ok: true, status: res.status, data: json, problem: null }
    : { ok: false, status: res.status, data: null, problem: /** @type {import('./types.js').Problem | null} */ (json) };
}

/** @param {string} s */
const seg = (s) => encodeURIComponent(s);

/**
 * Who the token belongs to; `token` checks a token before it is kept.
 * @param {string | null} [token]
 * @returns {Promise<ApiResult<Me>>}
 */
export function getMe(token = state.token) {
  return /** @type {Promise<ApiResult<Me>>} */ (request('GET', '/v1/me', { token }));
}

/**
 * @param {number} limit
 * @returns {Promise<ApiResult<InboxPage>>}
 */
export function getInbox(limit) {
  return /** @type {Promise<ApiResult<InboxPage>>} */ (request('GET', `/v1/inbox?limit=${limit}`));
}

/**
 * @param {string} orderId
 * @returns {Promise<ApiResult<Order>>}
 */
export function getOrder(orderId) {
  return /** @type {Promise<ApiResult<Order>>} */ (request('GET', `/v1/orders/${seg(orderId)}`));
}

/**
 * @param {string} orderId
 * @returns {Promise<ApiResult<AuditTrail>>}
 */
export function getAudit(orderId) {
  return /** @type {Promise<ApiResult<AuditTrail>>} */ (request('GET', `/v1/orders/${seg(orderId)}/audit`));
}

/**
 * The KPI report of a period (contract section 11): admin, auditor and management only (others get 403).
 * @param {{ from: string, to: string, groupBy?: 'department' | 'channel' | 'tier' | 'day' }} query
 * @returns {Promise<ApiResult<import('./dashboard-data.js').KpiReport>>}
 */
export function getKpis(query) {
  const q = new URLSearchParams(/** @type {Record<string, string>} */ (query));
  return /** @type {Promise<ApiResult<import('./dashboard-data.js').KpiReport>>} */ (request('GET', `/v1/kpis?${q}`));
}

/**
 * Decides a step. A fresh Idempotency-Key per call: a network retry of this call is safe, a second click is a
 * second attempt.
 * @param {string} orderId
 * @param {string} step
 * @param {DecisionKind} decision
 * @param {string | null} comment
 * @returns {Promise<ApiResult<Order>>}
 */
export function postDecision(orderId, step, decision, comment) {
  return /** @type {Promise<ApiResult<Order>>} */ (
    request('POST', `/v1/orders/${seg(orderId)}/steps/${seg(step)}/decision`, {
      body: { decision, comment },
      headers: { 'Idempotency-Key': uuid() },
    })
  );
}

/** A UUID for the Idempotency-Key header; randomUUID needs a secure context, so fall back to getRandomValues. */
function uuid() {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
