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
 *   inboxLoading: boolean, orderLoading: boolean, selected: Set<string>,
 *   people: Map<string, string>, colleagues: Map<string, import('./types.js').Colleague[]>
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
  /** Inbox rows ticked for a bulk decision, as `orderId/step`; kept across refreshes. */
  selected: new Set(),
  /** Names of the people the console has met (me, colleagues), by principal id. */
  people: new Map(),
  /** GET /v1/me/colleagues by department (the assign picker). */
  colleagues: new Map(),
};

/**
 * A person as the console names them: "you", their name when known, else their id.
 * @param {string | null | undefined} id
 */
export function personName(id) {
  if (!id) return '';
  if (id === state.me?.id) return 'you';
  const name = state.people.get(id);
  return name && name !== id ? `${name} (${id})` : id;
}

/** True when the signed-in principal decides for a department, so it has an inbox. */
export function hasInbox() {
  return (state.me?.departments.length ?? 0) > 0;
}
