// @ts-check
// The API's JSON as the console reads it (api/schemas/*.ts is the authority). Types only: no module imports
// this file at run time; the others name its types in JSDoc, e.g. `@typedef {import('./types.js').Order} Order`.

/** @typedef {'intake'|'info_check'|'credit'|'capacity'|'materials'|'special_requirements'|'final_approval'} StepId */
/** @typedef {'pending'|'running'|'awaiting_decision'|'auto_approved'|'approved'|'rejected'|'changes_requested'|'skipped'|'timed_out'|'cancelled'} StepStatus */
/** @typedef {'in_review'|'changes_requested'|'approved'|'rejected'|'cancelled'|'expired'} OrderStatus */
/** @typedef {'approve'|'reject'|'request_changes'} DecisionKind */

/** @typedef {{ code: string, message: string }} Finding */
/** `onBehalfOf`: the away colleague whose delegate (`by`) decided. */
/** @typedef {{ decision: DecisionKind, by: string, at: string, comment: string | null, onBehalfOf?: string }} Decision */

/**
 * One step of an order. `evidence` (what an automatic check decided on) is shown when the API sends it.
 * @typedef {{
 *   step: StepId, department: string, status: StepStatus, findings: Finding[], dueAt: string | null,
 *   waitingSince: string | null, escalated: boolean, decision: Decision | null, evidence?: unknown,
 *   claimedBy?: string | null, claimedAt?: string | null, keptFromRevision?: number | null
 * }} Step
 */

/** @typedef {{ sku: string, quantity: number, unitPrice: string, lineTotal: string }} Line */

/**
 * @typedef {{
 *   orderId: string, customerId: string, channel: string, currency: string, requestedDeliveryDate: string,
 *   paymentTerms: string, priority: 'normal' | 'urgent', lines: Line[], declaredTotal: string | null, total: string,
 *   specialRequirements: string[], notes: string | null
 * }} PublicOrder
 */

/** @typedef {{ status: OrderStatus, step: StepId | null, reason: string, at: string }} Outcome */

/**
 * After approval, what the ERP reported (contract section 9).
 * @typedef {{
 *   status: 'approved' | 'in_production' | 'partially_shipped' | 'shipped' | 'delivered' | 'invoiced' | 'closed',
 *   events: { event: string, reference: string, at: string, lines: { sku: string, quantity: number }[] | null, recordedBy: string, recordedAt: string }[],
 *   shipped: { sku: string, ordered: number, shipped: number }[], afterSalesCases: { reference: string, at: string }[]
 * }} Fulfilment
 */

/**
 * GET /v1/orders/{orderId}. `stages` is the order's own review plan: steps of one stage run side by side.
 * @typedef {{
 *   orderId: string, status: OrderStatus, revision: number, priority: 'normal' | 'urgent', customerId: string,
 *   submittedBy: string, submittedAt: string, updatedAt: string, completedAt: string | null, order: PublicOrder,
 *   risk: { score: number, reasons: string[] } | null, steps: Step[], stages: StepId[][], awaiting: StepId[],
 *   outcome: Outcome | null, fulfilment?: Fulfilment | null, plannedCompletionDate?: string | null
 * }} Order
 */

/**
 * One waiting step of GET /v1/inbox: who the customer is, why it waits (findings), why it ranks where it does
 * (priorityReasons) and who claimed it.
 * @typedef {{
 *   orderId: string, step: StepId, department: string, customerId: string, customerName: string | null, total: string,
 *   currency: string | null, priority: 'normal' | 'urgent', dueAt: string, waitingSince: string, escalated: boolean,
 *   claimedBy: string | null, findings: Finding[], priorityReasons: string[]
 * }} InboxItem
 */
/** @typedef {{ items: InboxItem[], nextCursor: string | null }} InboxPage */

/** A delegation in force: `to` sees and decides the steps of `from`'s `departments` until `until`. */
/** @typedef {{ from: string, fromName?: string, to: string, toName?: string, until: string, departments: string[] }} Delegation */
/** GET /v1/me. @typedef {{ id: string, name: string, roles: string[], departments: string[], delegations: Delegation[] }} Me */
/** GET /v1/me/colleagues. @typedef {{ id: string, name: string, departments: string[] }} Colleague */

/**
 * One row of GET /v1/orders.
 * @typedef {{
 *   orderId: string, status: OrderStatus, revision: number, priority: 'normal' | 'urgent', customerId: string,
 *   channel: string, total: string, awaiting: StepId[], escalated: boolean, submittedAt: string, updatedAt: string,
 *   completedAt: string | null
 * }} OrderSummary
 */
/** @typedef {{ items: OrderSummary[], nextCursor: string | null }} OrderList */

/** One item of POST /v1/decisions. @typedef {{ orderId: string, step: string, decision: DecisionKind, comment: string | null }} BulkItem */
/** @typedef {{ orderId: string, step: string, status: number, order?: Order, problem?: Problem }} BulkResult */

/** @typedef {{ at: string, type: string, step: string | null, actor: string | null, detail: unknown }} AuditEvent */
/** @typedef {{ orderId: string, events: AuditEvent[] }} AuditTrail */

/** RFC 9457 problem details. @typedef {{ type?: string, title?: string, status?: number, detail?: string, errors?: { path: string, message: string }[] }} Problem */

/**
 * What every API call resolves to; it never throws. `status` 0: the server could not be reached.
 * @template T
 * @typedef {{ ok: true, status: number, data: T, problem: null } | { ok: false, status: number, data: null, problem: Problem | null }} ApiResult
 */

export {};
