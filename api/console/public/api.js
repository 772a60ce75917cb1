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

/**
 * Claims a waiting step (others cannot decide it meanwhile) or releases the claim.
 * @param {string} orderId
 * @param {string} step
 * @param {'claim' | 'unclaim'} kind
 * @returns {Promise<ApiResult<Order>>}
 */
export function postClaim(orderId, step, kind) {
  return /** @type {Promise<ApiResult<Order>>} */ (
    request('POST', `/v1/orders/${seg(orderId)}/steps/${seg(step)}/${kind}`, { headers: { 'Idempotency-Key': uuid() } })
  );
}

/**
 * Hands a waiting step to a colleague of its department (the claimer, or management).
 * @param {string} orderId
 * @param {string} step
 * @param {string} principalId
 * @returns {Promise<ApiResult<Order>>}
 */
export function postAssign(orderId, step, principalId) {
  return /** @type {Promise<ApiResult<Order>>} */ (
    request('POST', `/v1/orders/${seg(orderId)}/steps/${seg(step)}/assign`, { body: { principalId }, headers: { 'Idempotency-Key': uuid() } })
  );
}

/**
 * Decides many steps at once; each item is decided or refused on its own.
 * @param {import('./types.js').BulkItem[]} items
 * @returns {Promise<ApiResult<{ results: import('./types.js').BulkResult[] }>>}
 */
export function postDecisions(items) {
  return /** @type {Promise<ApiResult<{ results: import('./types.js').BulkResult[] }>>} */ (request('POST', '/v1/decisions', { body: { items } }));
}

/**
 * The active approvers of one of my departments (or of all of them).
 * @param {string} [department]
 * @returns {Promise<ApiResult<{ items: import('./types.js').Colleague[] }>>}
 */
export function getColleagues(department) {
  const q = department ? `?department=${seg(department)}` : '';
  return /** @type {Promise<ApiResult<{ items: import('./types.js').Colleague[] }>>} */ (request('GET', `/v1/me/colleagues${q}`));
}

/**
 * Away until `until`: `to` sees and decides my departments' steps meanwhile.
 * @param {string} to
 * @param {string} until ISO date-time
 * @returns {Promise<ApiResult<import('./types.js').Delegation>>}
 */
export function putDelegation(to, until) {
  return /** @type {Promise<ApiResult<import('./types.js').Delegation>>} */ (request('PUT', '/v1/me/delegation', { body: { to, until } }));
}

/** Back: ends my delegation. @returns {Promise<ApiResult<unknown>>} */
export function deleteDelegation() {
  return request('DELETE', '/v1/me/delegation');
}

/**
 * One page of the order list, with the filters of GET /v1/orders.
 * @param {URLSearchParams} query
 * @returns {Promise<ApiResult<import('./types.js').OrderList>>}
 */
export function getOrders(query) {
  return /** @type {Promise<ApiResult<import('./types.js').OrderList>>} */ (request('GET', `/v1/orders?${query.toString()}`));
}

/**
 * The same list as CSV (a download needs the bearer token, so it is fetched here and handed to the browser as a file).
 * @param {URLSearchParams} query
 * @returns {Promise<{ ok: true, blob: Blob, filename: string } | { ok: false, status: number, problem: import('./types.js').Problem | null }>}
 */
export async function getOrdersCsv(query) {
  const q = new URLSearchParams(query);
  q.set('format', 'csv');
  let res;
  try {
    res = await fetch(`/v1/orders?${q.toString()}`, {
      headers: { Accept: 'text/csv, application/problem+json', Authorization: `Bearer ${state.token ?? ''}` },
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, problem: null };
  }
  if (!res.ok) {
    /** @type {import('./types.js').Problem | null} */
    let problem = null;
    try {
      problem = /** @type {import('./types.js').Problem} */ (await res.json());
    } catch {
      problem = null;
    }
    return { ok: false, status: res.status, problem };
  }
  const filename = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'orders.csv';
  return { ok: true, blob: await res.blob(), filename };
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
