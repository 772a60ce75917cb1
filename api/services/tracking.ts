/**
 * The customer's tracking page (contract section 8): a revocable, unguessable link per order, and what the page
 * shows — where the order stands, in plain words, from the event log. Nothing internal leaves this module: no finding
 * codes, risk, credit figures, approvers' names or other orders; the one approver text shown is the comment that
 * asks the customer for changes.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { orderEventsOf } from '../../db/events';
import { hashToken } from '../../db/principals';
import { products, trackingLinks } from '../../db/schema';
import type { SecretBox } from '../../db/secrets';
import { plannedCompletionDate } from './fulfilment';
import { findOrder, type OrderRecord } from './orders';

export type TrackingStageKey =
  | 'received'
  | 'under_review'
  | 'needs_changes'
  | 'approved'
  | 'in_production'
  | 'shipped'
  | 'delivered'
  | 'not_accepted'
  | 'cancelled'
  | 'expired';

export interface TrackingStage {
  key: TrackingStageKey;
  label: string;
  at: string | null;
  done: boolean;
  /** For "needs your changes": what the reviewer asked for. */
  note?: string;
}

export interface TrackingView {
  orderId: string;
  status: TrackingStageKey;
  statusText: string;
  lines: { product: string; quantity: number }[];
  total: string;
  currency: string;
  requestedDeliveryDate: string;
  plannedCompletionDate: string | null;
  stages: TrackingStage[];
  updatedAt: string;
}

const LABEL: Record<TrackingStageKey, string> = {
  received: 'Received',
  under_review: 'Under review',
  needs_changes: 'Needs your changes',
  approved: 'Approved',
  in_production: 'In production',
  shipped: 'Shipped',
  delivered: 'Delivered',
  not_accepted: 'Not accepted',
  cancelled: 'Cancelled',
  expired: 'Closed without the changes',
};

const STATUS_TEXT: Record<TrackingStageKey, string> = {
  received: 'We have received your order.',
  under_review: 'Your order is being reviewed.',
  needs_changes: 'We need a change to your order before we can go on.',
  approved: 'Your order is approved and planned for production.',
  in_production: 'Your order is in production.',
  shipped: 'Your order is on its way.',
  delivered: 'Your order was delivered.',
  not_accepted: 'We are sorry: we could not accept this order.',
  cancelled: 'This order was cancelled.',
  expired: 'This order was closed because the requested changes did not arrive.',
};

/** The link for an order: the active one if there is one (the same token again), else a new one. */
export function trackingLinkFor(db: Db, secrets: SecretBox, orderId: string, by: string): { token: string; created: boolean } {
  const active = db
    .select()
    .from(trackingLinks)
    .where(and(eq(trackingLinks.orderId, orderId), isNull(trackingLinks.revokedAt)))
    .orderBy(desc(trackingLinks.createdAt))
    .get();
  if (active) return { token: secrets.open(active.tokenSealed), created: false };
  // 256 random bits: a link cannot be guessed, and only its hash finds the order.
  const token = randomBytes(32).toString('base64url');
  db.insert(trackingLinks)
    .values({ tokenHash: hashToken(token), tokenSealed: secrets.seal(token), orderId, createdBy: by, createdAt: new Date().toISOString() })
    .run();
  return { token, created: true };
}

/** Revokes the order's link; false when it had none. */
export function revokeTrackingLink(db: Db, orderId: string): boolean {
  const res = db
    .update(trackingLinks)
    .set({ revokedAt: new Date().toISOString() })
    .where(and(eq(trackingLinks.orderId, orderId), isNull(trackingLinks.revokedAt)))
    .run();
  return res.changes > 0;
}

/** The order an active token opens, or undefined (unknown and revoked tokens look the same). */
export function orderOfToken(db: Db, token: string): OrderRecord | undefined {
  const link = db
    .select({ orderId: trackingLinks.orderId })
    .from(trackingLinks)
    .where(and(eq(trackingLinks.tokenHash, hashToken(token)), isNull(trackingLinks.revokedAt)))
    .get();
  return link ? findOrder(db, link.orderId) : undefined;
}

const FULFILMENT_STAGE: Record<string, TrackingStageKey> = {
  production_started: 'in_production',
  shipped: 'shipped',
  delivered: 'delivered',
};

export function trackingView(db: Db, order: OrderRecord): TrackingView {
  const state = order.state;
  const at: Partial<Record<TrackingStageKey, string>> = { received: state.submittedAt, under_review: state.submittedAt };
  let note: string | undefined;
  let needsChanges = false;
  let ending: TrackingStageKey | null = null;
  for (const e of orderEventsOf(db, order.orderId)) {
    switch (e.type) {
      case 'order.changes_requested':
        at.needs_changes = e.at;
        note = typeof e.data.comment === 'string' ? e.data.comment : undefined;
        needsChanges = true;
        break;
      case 'order.amended':
        at.under_review = e.at;
        needsChanges = false;
        break;
      case 'order.approved':
        at.approved = e.at;
        break;
      case 'order.rejected':
        ending = 'not_accepted';
        at.not_accepted = e.at;
        break;
      case 'order.cancelled':
      case 'order.expired':
        ending = e.type === 'order.cancelled' ? 'cancelled' : 'expired';
        at[ending] = e.at;
        break;
      case 'order.fulfilment': {
        const stage = FULFILMENT_STAGE[String(e.data.event)];
        // Partial shipments: the first one says "on its way".
        if (stage && !at[stage]) at[stage] = e.at;
        break;
      }
    }
  }
  const happyPath: TrackingStageKey[] = ['received', 'under_review', 'approved', 'in_production', 'shipped', 'delivered'];
  const stages: TrackingStage[] = [];
  for (const key of happyPath) {
    stages.push({ key, label: LABEL[key], at: at[key] ?? null, done: at[key] !== undefined });
    if (key === 'under_review' && (needsChanges || at.needs_changes)) {
      stages.push({ key: 'needs_changes', label: LABEL.needs_changes, at: at.needs_changes ?? null, done: !needsChanges, ...(needsChanges && note ? { note } : {}) });
    }
    if (key === 'under_review' && ending) {
      stages.push({ key: ending, label: LABEL[ending], at: at[ending] ?? null, done: true });
      break;
    }
  }
  const status: TrackingStageKey = ending ?? (needsChanges ? 'needs_changes' : ([...happyPath].reverse().find((k) => at[k]) ?? 'received'));

  const skus = [...new Set(state.order.lines.map((l) => l.sku))];
  const names = new Map(
    skus.map((sku) => [sku, db.select({ name: products.name }).from(products).where(eq(products.sku, sku)).get()?.name ?? sku]),
  );
  const planned = plannedCompletionDate(db, order.orderId);
  return {
    orderId: order.orderId,
    status,
    statusText: STATUS_TEXT[status],
    lines: state.order.lines.map((l) => ({ product: names.get(l.sku) ?? l.sku, quantity: l.quantity })),
    total: state.order.total,
    currency: state.order.currency,
    requestedDeliveryDate: state.order.requestedDeliveryDate,
    plannedCompletionDate: ending ? null : (planned ?? null),
    stages,
    updatedAt: state.updatedAt,
  };
}
