/**
 * Stock reservations and capacity bookings. Each check-and-hold runs in ONE synchronous SQLite transaction,
 * so two orders reviewed at the same time can never both take the last unit or the last free hour.
 * Holds are keyed by (order, revision, material|day): an activity that runs twice finds its own rows and
 * answers as the first run did. A released revision refuses new holds (a late retry cannot resurrect one).
 */
import { and, eq, inArray, isNull, lte } from 'drizzle-orm';
import { planCapacity, requiredHours } from '../domain/checks/capacity';
import { checkMaterials, materialNeeds } from '../domain/checks/materials';
import type { Finding, NormalisedOrder } from '../domain/types';
import { type Tx, writeTx } from '../db/client';
import { bookedHoursByDay, logReorderCrossings, materialStock } from '../db/stock';
import {
  capacityBookings,
  capacitySettings,
  holdReleases,
  materialReservations,
  productMaterials,
  products,
} from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

export interface HoldRequest {
  order: NormalisedOrder;
  revision: number;
  /** A department approved despite findings: hold anyway (overbooking / pre-purchase is then intended). */
  force: boolean;
}

export interface HoldResult {
  /** Empty when the hold was made; otherwise why it was not (nothing is held then). */
  findings: Finding[];
  held: boolean;
  /** Short human summary for the audit trail. */
  summary: string;
}

function isReleased(tx: Tx, orderId: string, revision: number): boolean {
  return !!tx
    .select({ r: holdReleases.revision })
    .from(holdReleases)
    .where(and(eq(holdReleases.orderId, orderId), eq(holdReleases.revision, revision)))
    .get();
}

export function createHoldActivities({ db, now, onEventsLogged }: ActivityDeps) {
  return {
    /** materials: enough stock for the bill of materials? Reserve it, or report the pre-purchase needed. */
    async reserveMaterials({ order, revision, force }: HoldRequest): Promise<HoldResult> {
      const at = now().toISOString();
      let logged = 0;
      const result = writeTx(db, (tx): HoldResult => {
        if (isReleased(tx, order.orderId, revision)) return { findings: [], held: false, summary: 'revision already released' };
        const mine = tx
          .select()
          .from(materialReservations)
          .where(and(eq(materialReservations.orderId, order.orderId), eq(materialReservations.revision, revision)))
          .all();
        if (mine.length > 0) return { findings: [], held: true, summary: `reserved ${mine.length} material(s)` };

        const skus = [...new Set(order.lines.map((l) => l.sku))];
        const bomRows = skus.length
          ? tx.select().from(productMaterials).where(inArray(productMaterials.sku, skus)).all()
          : [];
        const boms: Record<string, { materialId: string; quantityPerUnit: number }[]> = {};
        for (const r of bomRows) (boms[r.sku] ??= []).push({ materialId: r.materialId, quantityPerUnit: r.quantityPerUnit });
        const needs = materialNeeds(order.lines, boms);
        if (needs.length === 0) return { findings: [], held: true, summary: 'no materials needed' };

        const ids = needs.map((n) => n.materialId);
        // Reserved = active reservations − what fulfilment consumed or released (db/stock.ts).
        const before = materialStock(tx, ids);
        const stock = Object.fromEntries([...before].map(([id, m]) => [id, { onHand: m.onHand, reserved: m.reserved }]));
        const { findings, shortages } = checkMaterials(needs, stock);
        if (findings.length > 0 && !force) return { findings, held: false, summary: 'not reserved' };

        const short = new Map(shortages.map((s) => [s.materialId, s.short]));
        for (const n of needs) {
          tx.insert(materialReservations)
            .values({
              orderId: order.orderId,
              revision,
              materialId: n.materialId,
              quantity: Math.ceil(n.quantity),
              prePurchase: Math.ceil(short.get(n.materialId) ?? 0),
              reservedAt: at,
            })
            .onConflictDoNothing()
            .run();
        }
        // Procurement hears of a material this reservation took below its reorder point, in the same transaction.
        // The id names the reservation: a re-run finds its own rows above and never gets here, so it logs nothing twice.
        logged = logReorderCrossings(tx, before, {
          eventId: (materialId) => `below-reorder:${materialId}:reserve:${order.orderId}:${revision}`,
          actor: 'system',
          at,
          orderId: order.orderId,
        });
        const pre = shortages.length ? `, pre-purchase ${shortages.map((s) => `${s.short} ${s.materialId}`).join(', ')}` : '';
        return { findings: [], held: true, summary: `reserved ${needs.length} material(s)${pre}` };
      });
      if (logged > 0) onEventsLogged?.();
      return result;
    },

    /** capacity: can production finish by the requested date? Book the hours, earliest days first. */
    async bookCapacity({ order, revision, force }: HoldRequest): Promise<HoldResult> {
      const current = now();
      const today = dayOf(current);
      return writeTx(db, (tx): HoldResult => {
        if (isReleased(tx, order.orderId, revision)) return { findings: [], held: false, summary: 'revision already released' };
        const mine = tx
          .select()
          .from(capacityBookings)
          .where(and(eq(capacityBookings.orderId, order.orderId), eq(capacityBookings.revision, revision)))
          .all();
        if (mine.length > 0) return { findings: [], held: true, summary: `booked ${sumHours(mine)} h` };

        const skus = [...new Set(order.lines.map((l) => l.sku))];
        const hours = skus.length
          ? tx.select({ sku: products.sku, h: products.hoursPerUnit }).from(products).where(inArray(products.sku, skus)).all()
          : [];
        const required = requiredHours(order.lines, Object.fromEntries(hours.map((r) => [r.sku, r.h])));
        if (required <= 0) return { findings: [], held: true, summary: 'no production hours needed' };

        const settings = tx.select().from(capacitySettings).where(eq(capacitySettings.id, 1)).get();
        const plan = planCapacity({
          requiredHours: required,
          today,
          requestedDeliveryDate: order.requestedDeliveryDate,
          hoursPerDay: settings?.hoursPerDay ?? 0,
          // Booked = active bookings − hours fulfilment released when an order closed (db/stock.ts).
          bookedByDay: bookedHoursByDay(tx, today, order.requestedDeliveryDate),
        });
        if (plan.findings.length > 0 && !force) return { findings: plan.findings, held: false, summary: 'not booked' };
        // Approved despite no production day before the delivery date: book it on the delivery date itself.
        const bookings = plan.bookings.length ? plan.bookings : [{ day: order.requestedDeliveryDate, hours: required }];
        for (const b of bookings) {
          tx.insert(capacityBookings)
            .values({ orderId: order.orderId, revision, day: b.day, hours: b.hours, bookedAt: current.toISOString() })
            .onConflictDoNothing()
            .run();
        }
        return { findings: [], held: true, summary: `booked ${required} h over ${bookings.length} day(s)` };
      });
    },

    /** Releases every active hold of the order up to `revision`, and refuses later holds for it. */
    async releaseHolds({ orderId, revision, reason }: { orderId: string; revision: number; reason: string }) {
      const at = now().toISOString();
      return writeTx(db, (tx) => {
        tx.insert(holdReleases).values({ orderId, revision, releasedAt: at, reason }).onConflictDoNothing().run();
        const m = tx
          .update(materialReservations)
          .set({ releasedAt: at })
          .where(
            and(
              eq(materialReservations.orderId, orderId),
              lte(materialReservations.revision, revision),
              isNull(materialReservations.releasedAt),
            ),
          )
          .run();
        const c = tx
          .update(capacityBookings)
          .set({ releasedAt: at })
          .where(
            and(eq(capacityBookings.orderId, orderId), lte(capacityBookings.revision, revision), isNull(capacityBookings.releasedAt)),
          )
          .run();
        return { reservations: m.changes, bookings: c.changes };
      });
    },
  };
}

function sumHours(rows: { hours: number }[]): number {
  return Math.round(rows.reduce((s, r) => s + r.hours, 0) * 100) / 100;
}
