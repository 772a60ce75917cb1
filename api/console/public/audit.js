// @ts-check
// The audit trail of an order, for auditors and admins. Approvers get 403 and the section stays hidden.
import { getAudit } from './api.js';
import { h } from './dom.js';
import { humanDetail, timeEl } from './format.js';
import { stepLabel } from './labels.js';
import { state } from './state.js';

/**
 * Fills the #audit section of the open order, if the principal may read it.
 * @param {string} orderId
 */
export async function refreshAudit(orderId) {
  const section = document.getElementById('audit');
  if (!section || !state.auditAllowed) return;
  const token = state.token;
  const res = await getAudit(orderId);
  if (orderId !== state.orderId || token !== state.token || !section.isConnected) return;
  if (res.status === 403) {
    state.auditAllowed = false;
    section.hidden = true;
    return;
  }
  if (!res.ok || !res.data) {
    section.hidden = true;
    return;
  }
  const events = res.data.events ?? [];
  section.replaceChildren(
    h('h3', { id: 'audit-title' }, 'Audit trail'),
    events.length
      ? h('ol', { className: 'timeline' }, events.map((e) => h('li', {},
        timeEl(e.at, 'at', 'small muted'), ' ',
        h('strong', {}, e.type.replace(/_/g, ' ')),
        e.step ? ` · ${stepLabel(e.step)}` : '',
        e.actor ? ` · ${e.actor}` : '',
        decidedFor(e),
        auditDetail(e.detail))))
      : h('p', { className: 'muted' }, 'No events yet.'));
  section.hidden = false;
}

/**
 * A decision a delegate made: "decided by X on behalf of Y", both people in one line.
 * @param {import('./types.js').AuditEvent} e
 */
function decidedFor(e) {
  const detail = /** @type {{ onBehalfOf?: unknown }} */ (e.detail ?? {});
  if (e.type !== 'decision' || typeof detail.onBehalfOf !== 'string') return null;
  return h('div', { className: 'small on-behalf' }, `decided by ${e.actor ?? '?'} on behalf of ${detail.onBehalfOf}`);
}

/** @param {unknown} detail */
function auditDetail(detail) {
  if (!detail || typeof detail !== 'object') return null;
  const parts = Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}: ${detailValue(v)}`);
  return parts.length ? h('div', { className: 'small muted audit-detail' }, parts.join(' · ')) : null;
}

/**
 * A detail value in a few words: findings by code (their messages are in the steps), risk by score.
 * @param {unknown} v
 * @returns {string}
 */
function detailValue(v) {
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === 'object' ? String(x.code ?? JSON.stringify(x)) : String(x))).join(', ');
  if (v && typeof v === 'object') return 'score' in v ? String(v.score) : JSON.stringify(v);
  return typeof v === 'string' ? humanDetail(v) : String(v);
}
