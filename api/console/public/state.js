// @ts-check
// The console's state: one object, shared by the modules. Only the token outlives a reload (sessionStorage:
// gone when the tab closes).

/** @typedef {import('./types.js').Me} Me */
/** @typedef {import('./types.js').Order} Order */

export const TOKEN_KEY = 'order-review.console.token';
export const POLL_MS = 5000;
export const INBOX_LIMIT = 200;

/**
 * @type {{
 *   token: string | null, me: Me | null, inboxJson: string, orderId: string | null, preferredStep: string | null,
 *   order: Order | null, orderJson: string, auditAllowed: boolean, timer: ReturnType<typeof setInterval> | undefined,
 *   inboxLoading: boolean, orderLoading: boolean
 * }}
 */
export const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** Who is signed in (GET /v1/me); null until known. */
  me: null,
  inboxJson: '',
  orderId: null,
  /** The step to preselect in the decision form (from the inbox row that opened the order). */
  preferredStep: null,
  order: null,
  orderJson: '',
  /** False once the API said 403 to an audit request: approvers may not read the audit trail. */
  auditAllowed: true,
  timer: undefined,
  inboxLoading: false,
  orderLoading: false,
};

/** True when the signed-in principal decides for a department, so it has an inbox. */
export function hasInbox() {
  return (state.me?.departments.length ?? 0) > 0;
}
