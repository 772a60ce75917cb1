/**
 * Fulfilment feedback after approval (contract section 9): the ERP reports production, shipments, delivery,
 * invoicing, closing and after-sales cases, and each report is ONE SQLite transaction that checks it, applies its
 * effects on stock, capacity and exposure, and logs its `order.fulfilment` event. A crash leaves nothing half-done;
 * the ERP retries, and the key (orderId, event, reference) makes a retry harmless. The review workflow has ended at
 * `approved` and plays no part (README: "How an order is reviewed").
 *
 * This service is the one writer of fulfilment_events, stock_moves and capacity_moves; it also lowers
 * materials.on_hand by what a shipment consumed (a goods issue; the ERP's PUT of a stock count sets it).
 */
import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { type Db, prepared, type Tx, writeTx } from '../../db/client';
import { appendEvents, orderStream } from '../../db/events';
import type { Principal } from '../../db/principals';
import {
  capacityBookings,
  capacityMoves,
  fulfilmentEvents,
  materialReservations,
  materials,
  orderIntake,
  orders,
  productMaterials,
  products,
  stockMoves,
} from '../../db/schema';
import { logReorderCrossings, materialStock } from '../../db/stock';
import {
  type FulfilmentEvent,
  type FulfilmentStatus,
  type SkuQuantity,
  bySku,
  capacityUse,
  fulfilmentStatus,
  isFullyShipped,
  materialConsumption,
  planShipment,
  stillHeld,
} from '../../domain/fulfilment';
import { EXPOSURE_CLEARING_EVENTS } from '../../domain/checks/exposure';
import type { OrderState } from '../../workflows/messages';
import { HttpProblem, problems } from '../problem';
import type { fulfilmentBody } from '../schemas/fulfilment';

export type FulfilmentBody = z.output<typeof fulfilmentBody>;
type FulfilmentRow = typeof fulfilmentEvents.$inferSelect;

export interface FulfilmentView {
  status: FulfilmentStatus;
  events: { event: FulfilmentEvent; reference: string; at: string; lines: SkuQuantity[] | null; recordedBy: string; recordedAt: string }[];
  shipped: { sku: string; ordered: number; shipped: number }[];
  afterSalesCases: { reference: string; at: string }[];
}

/** The order view of the contract: the review's state plus what fulfilment and capacity add to it. */
export type OrderView = OrderState & { fulfilment: FulfilmentView | null; plannedCompletionDate: string | null };

/** The request as a fingerprint: the same report again is a retry, another one under the same key a conflict. */
function bodyHash(b: FulfilmentBody, at: string | null): string {
  const lines = b.lines ? [...b.lines].sort((x, y) => (x.sku < y.sku ? -1 : x.sku > y.sku ? 1 : 0)) : null;
  return createHash('sha256').update(JSON.stringify({ event: b.event, reference: b.reference, at, lines })).digest('hex');
}

/** The order's reports in the order they were recorded (the statement runs inside a write transaction too). */
function eventsOf(db: Db, orderId: string): FulfilmentRow[] {
  const stmt = prepared(db, 'fulfilmentOfOrder', () =>
    db
      .select()
      .from(fulfilmentEvents)
      .where(eq(fulfilmentEvents.orderId, sql.placeholder('orderId')))
      .orderBy(asc(fulfilmentEvents.id))
      .prepare(),
  );
  return stmt.all({ orderId });
}

const shippedLines = (rows: readonly FulfilmentRow[]): SkuQuantity[] => rows.filter((r) => r.event === 'shipped').flatMap((r) => r.lines ?? []);

function sumBy<K extends string>(rows: { key: K; n: number }[]): Map<K, number> {
  const m = new Map<K, number>();
  for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0) + Number(r.n));
  return m;
}

/** What the order still holds of each material: its active reservations, and what fulfilment already took off. */
function materialLedger(tx: Tx, orderId: string) {
  const reserved = sumBy(
    tx
      .select({ key: materialReservations.materialId, n: materialReservations.quantity })
      .from(materialReservations)
      .where(and(eq(materialReservations.orderId, orderId), isNull(materialReservations.releasedAt)))
      .all(),
  );
  const moves = tx.select().from(stockMoves).where(eq(stockMoves.orderId, orderId)).all();
  const consumed = sumBy(moves.filter((m) => m.kind === 'consumed').map((m) => ({ key: m.materialId, n: m.quantity })));
  const released = sumBy(moves.filter((m) => m.kind === 'released').map((m) => ({ key: m.materialId, n: m.quantity })));
  return { reserved, consumed, released };
}

/** The order's booked hours per day, and what fulfilment already used or released of them. */
function capacityLedger(tx: Tx, orderId: string) {
  const booked = sumBy(
    tx
      .select({ key: capacityBookings.day, n: capacityBookings.hours })
      .from(capacityBookings)
      .where(and(eq(capacityBookings.orderId, orderId), isNull(capacityBookings.releasedAt)))
      .all(),
  );
  const moves = tx.select().from(capacityMoves).where(eq(capacityMoves.orderId, orderId)).all();
  const used = sumBy(moves.filter((m) => m.kind === 'used').map((m) => ({ key: m.day, n: m.hours })));
  const released = sumBy(moves.filter((m) => m.kind === 'released').map((m) => ({ key: m.day, n: m.hours })));
  return { booked, used, released };
}

/** A shipment: the shipped part of the reservation is consumed (onHand and reserved fall together), its hours used. */
/** Returns the materials it changed. */
function applyShipment(tx: Tx, key: MoveKey, shippedAfter: SkuQuantity[], complete: boolean): string[] {
  const skus = [...new Set(shippedAfter.map((l) => l.sku))];
  const boms: Record<string, { materialId: string; quantityPerUnit: number }[]> = {};
  for (const r of tx.select().from(productMaterials).where(inArray(productMaterials.sku, skus)).all()) {
    (boms[r.sku] ??= []).push({ materialId: r.materialId, quantityPerUnit: r.quantityPerUnit });
  }
  const stock = materialLedger(tx, key.orderId);
  const consumed = materialConsumption({
    reserved: stillHeld(stock.reserved, stock.released),
    consumedBefore: stock.consumed,
    boms,
    shippedAfter,
    complete,
  });
  for (const c of consumed) {
    tx.insert(stockMoves).values({ ...key, materialId: c.materialId, kind: 'consumed', quantity: c.quantity }).run();
    // Stock cannot go below nothing; an overbooked approval (pre-purchase) may have reserved more than was there.
    tx.update(materials)
      .set({ onHand: sql`max(0, ${materials.onHand} - ${c.quantity})` })
      .where(eq(materials.id, c.materialId))
      .run();
  }

  const cap = capacityLedger(tx, key.orderId);
  const hoursPerUnit = Object.fromEntries(
    tx
      .select({ sku: products.sku, h: products.hoursPerUnit })
      .from(products)
      .where(inArray(products.sku, skus))
      .all()
      .map((p) => [p.sku, p.h]),
  );
  const used = capacityUse({
    booked: [...stillHeld(cap.booked, cap.released)].map(([day, hours]) => ({ day, hours })),
    usedBefore: cap.used,
    hoursPerUnit,
    shippedAfter,
    complete,
  });
  for (const u of used) tx.insert(capacityMoves).values({ ...key, day: u.day, kind: 'used', hours: u.hours }).run();
  return consumed.map((c) => c.materialId);
}

/** Closing: whatever the order still holds — reserved and not consumed, booked and not used — is released. */
function applyClose(tx: Tx, key: MoveKey): string[] {
  const stock = materialLedger(tx, key.orderId);
  const released = [...stillHeld(stock.reserved, stock.consumed, stock.released)].map(([materialId, quantity]) => ({ materialId, quantity }));
  for (const r of released) tx.insert(stockMoves).values({ ...key, materialId: r.materialId, kind: 'released', quantity: r.quantity }).run();
  const cap = capacityLedger(tx, key.orderId);
  const free = [...stillHeld(cap.booked, cap.used, cap.released)];
  for (const [day, hours] of free) tx.insert(capacityMoves).values({ ...key, day, kind: 'released', hours }).run();
  return released.map((r) => r.materialId);
}

interface MoveKey {
  orderId: string;
  event: FulfilmentEvent;
  reference: string;
  at: string;
}

/** An ERP's report on an approved order; `created` is false for a repeat of one already recorded. */
export function recordFulfilment(db: Db, principal: Principal, orderId: string, body: FulfilmentBody): { created: boolean; logged: number } {
  const recordedAt = new Date().toISOString();
  const at = body.at ? new Date(body.at).toISOString() : null;
  const hash = bodyHash(body, at);
  return writeTx(db, (tx) => {
    const order = tx
      .select({ status: orders.status, submittedBy: orders.submittedBy, state: orders.state })
      .from(orders)
      .where(eq(orders.orderId, orderId))
      .get();
    if (!order) {
      const intake = tx.select({ id: orderIntake.orderId }).from(orderIntake).where(eq(orderIntake.orderId, orderId)).get();
      if (!intake) throw problems.notFound(`order ${orderId} not found`);
      throw problems.conflict(`order ${orderId} is in_review: fulfilment is recorded only for approved orders`);
    }
    const earlier = eventsOf(db, orderId);
    const same = earlier.find((e) => e.event === body.event && e.reference === body.reference);
    if (same) {
      if (same.bodyHash === hash) return { created: false, logged: 0 };
      throw problems.conflict(`${body.event} ${body.reference} of order ${orderId} was already recorded with a different body`);
    }
    if (order.status !== 'approved') {
      throw problems.conflict(`order ${orderId} is ${order.status}: fulfilment is recorded only for approved orders`);
    }
    // After closing only an after-sales case may still be linked: nothing else can happen to a closed order.
    if (earlier.some((e) => e.event === 'closed') && body.event !== 'after_sales_opened') {
      throw problems.conflict(`order ${orderId} is closed: only after_sales_opened can be recorded now`);
    }

    const state = order.state as unknown as OrderState;
    const ordered = state.order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
    const key: MoveKey = { orderId, event: body.event, reference: body.reference, at: at ?? recordedAt };
    let lines: SkuQuantity[] | null = null;
    let complete = isFullyShipped(ordered, shippedLines(earlier));
    let changed: string[] = [];
    // The order's materials as they stand before this report: a change that takes one below its reorder point is told.
    const stockBefore = materialStock(tx, [...materialLedger(tx, orderId).reserved.keys()]);
    if (body.event === 'shipped') {
      const plan = planShipment({ ordered, shippedBefore: shippedLines(earlier), requested: body.lines });
      if (plan.errors.length > 0) {
        throw new HttpProblem(422, `the shipment is more than order ${orderId} has left to ship`, {
          type: 'over-shipment',
          title: 'Unprocessable fulfilment',
          errors: plan.errors,
        });
      }
      lines = plan.lines;
      complete = plan.complete;
      changed = applyShipment(tx, key, plan.shippedAfter, plan.complete);
    } else if (body.event === 'closed') {
      changed = applyClose(tx, key);
    }

    tx.insert(fulfilmentEvents)
      .values({ orderId, event: body.event, reference: body.reference, at: key.at, lines, bodyHash: hash, recordedBy: principal.id, recordedAt })
      .run();
    // Invoiced (now the ERP's open balance) or closed: the order leaves its customer's exposure, and the credit
    // check's index of exposed orders (orders_customer_exposed), in this same transaction.
    if ((EXPOSURE_CLEARING_EVENTS as readonly string[]).includes(body.event)) {
      tx.update(orders).set({ exposureCleared: 1 }).where(eq(orders.orderId, orderId)).run();
    }
    const status = fulfilmentStatus([...earlier, { event: body.event }] as { event: FulfilmentEvent }[], complete);
    let logged = appendEvents(tx, { stream: orderStream(orderId), orderId, submittedBy: order.submittedBy }, [
      {
        // A natural key: the same report can only ever log one event.
        id: `fulfilment:${orderId}:${body.event}:${body.reference}`,
        type: 'order.fulfilment',
        at: key.at,
        revision: state.revision,
        step: null,
        actor: principal.id,
        // What an integrator's feed and webhooks may see too: no bill of materials, no stock or hours (those are
        // in stock_moves / capacity_moves and the materials and capacity views).
        data: { event: body.event, reference: body.reference, status, ...(lines ? { lines } : {}) },
      },
    ]);
    // A shipment that consumed more than was on hand (stock floors at 0) can take a material below its reorder point.
    if (changed.length > 0) {
      logged += logReorderCrossings(tx, new Map([...stockBefore].filter(([id]) => changed.includes(id))), {
        eventId: (materialId) => `below-reorder:${materialId}:fulfilment:${orderId}:${body.event}:${body.reference}`,
        actor: principal.id,
        at: recordedAt,
        orderId,
      });
    }
    return { created: true, logged };
  });
}

/** The last day the order's review booked capacity for: by then its hours fit. */
export function plannedCompletionDate(db: Db, orderId: string): string | null {
  const stmt = prepared(db, 'plannedCompletion', () =>
    db
      .select({ day: max(capacityBookings.day) })
      .from(capacityBookings)
      .where(and(eq(capacityBookings.orderId, sql.placeholder('orderId')), isNull(capacityBookings.releasedAt)))
      .prepare(),
  );
  return stmt.get({ orderId })?.day ?? null;
}

/** The fulfilment block of an approved order's view; null for an order that is not approved. */
export function fulfilmentOf(db: Db, state: OrderState): FulfilmentView | null {
  if (state.status !== 'approved') return null;
  const rows = eventsOf(db, state.orderId);
  const shippedSoFar = shippedLines(rows);
  const ordered = bySku(state.order.lines);
  const shipped = bySku(shippedSoFar);
  return {
    status: fulfilmentStatus(rows as { event: FulfilmentEvent }[], isFullyShipped(state.order.lines, shippedSoFar)),
    events: rows.map((r) => ({
      event: r.event as FulfilmentEvent,
      reference: r.reference,
      at: r.at,
      lines: r.lines,
      recordedBy: r.recordedBy,
      recordedAt: r.recordedAt,
    })),
    shipped: [...ordered].map(([sku, q]) => ({ sku, ordered: q, shipped: shipped.get(sku) ?? 0 })),
    afterSalesCases: rows.filter((r) => r.event === 'after_sales_opened').map((r) => ({ reference: r.reference, at: r.at })),
  };
}

/** The order view every route answers with: the review's state, its fulfilment and its planned completion date. */
export function orderViewOf(db: Db, state: OrderState): OrderView {
  return { ...state, fulfilment: fulfilmentOf(db, state), plannedCompletionDate: plannedCompletionDate(db, state.orderId) };
}
