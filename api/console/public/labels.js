// @ts-check
// The words for steps, statuses and decisions. No DOM here: permissions.js (unit-tested in Node) uses them too.

/** @type {Record<string, string>} */
const STEP_LABELS = {
  intake: 'Intake',
  info_check: 'Info check',
  credit: 'Credit',
  capacity: 'Capacity',
  materials: 'Materials',
  special_requirements: 'Special requirements',
  final_approval: 'Final approval',
};

/**
 * Status → [label, glyph, tone]. The glyph and label carry the meaning; colour only repeats it.
 * @type {Record<string, [string, string, string]>}
 */
export const STEP_STATUS = {
  pending: ['Pending', '○', 'idle'],
  running: ['Checking', '◔', 'busy'],
  awaiting_decision: ['Awaiting decision', '●', 'wait'],
  auto_approved: ['Auto-approved', '✓', 'ok'],
  approved: ['Approved', '✓', 'ok'],
  rejected: ['Rejected', '✕', 'bad'],
  changes_requested: ['Changes requested', '↺', 'warn'],
  skipped: ['Skipped', '–', 'idle'],
  timed_out: ['Timed out', '⌛', 'bad'],
  cancelled: ['Cancelled', '✕', 'idle'],
};

/** @type {Record<string, [string, string]>} */
export const ORDER_STATUS = {
  in_review: ['In review', 'wait'],
  changes_requested: ['Changes requested', 'warn'],
  approved: ['Approved', 'ok'],
  rejected: ['Rejected', 'bad'],
  cancelled: ['Cancelled', 'idle'],
  expired: ['Expired', 'bad'],
};

/** @type {Record<string, string>} */
export const DECISION_LABELS = { approve: 'Approved', reject: 'Rejected', request_changes: 'Requested changes' };
/** @type {Record<string, string>} */
export const DECISION_VERBS = { approve: 'approved', reject: 'rejected', request_changes: 'requested changes on' };

/** @param {string} step */
export function stepLabel(step) {
  return STEP_LABELS[step] ?? step;
}

/** @param {string} s */
export function capitalise(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
