/**
 * Stock reservations and capacity bookings. Each check-and-hold runs in ONE synchronous SQLite transaction,
 * so two orders reviewed at the same time can never both take the last unit or the last free hour.
 * Holds are keyed by (order, revision, material|day): an activity that runs twice finds its own rows and
 * answers as the first run did. A released revision refuses new holds (a late retry cannot resurrect one).
 */
import { and, eq, isNull, lte } from 'drizzle-orm';
import { planCapacity, requiredHours } from '../domain/checks/capacity';
import { checkMaterials, materialNeeds } from '../domain/checks/materials';
import type { CapacityEvidence, MaterialsEvidence } from '../domain/evidence';
import type { BusinessCalendar, Finding, NormalisedOrder } from '../domain/types';
import { type Db, prepared, writeTx } from '../db/client';
import { bookedHoursByDay, logReorderCrossings, materialStock } from '../db/stock';
import { capacityBookings, holdReleases, materialReservations } from '../db/schema';
import { type ActivityDeps, dayOf } from './context';

export interface HoldRequest {
  order: NormalisedOrder;
  revision: number;
  /** A department approved despite findings: hold anyway (overbooking / pre-purchase is then intended). */
  force: boolean;
  /** The policy's business calendar: capacity counts only its working days, from its today. */
  calendar?: BusinessCalendar;
}

export interface HoldResult<E = CapacityEvidence | MaterialsEvidence> {
  /** Empty when the hold was made; otherwise why it was not (nothing is held then). */
  findings: Finding[];
  held: boolean;
  /** Short human summary for the audit trail. */
  summary: string;
  /** The figures and versions the check decided on; absent only for a revision already released. */
  evidence?: E;
}

/**
 * The holds' reads and inserts, prepared once per database: every order's materials and capacity checks run them,
 * and building them with drizzle per call cost more than running them (S1 profile). Sku lists are one JSON
 * parameter (`json_each`).
 */
const statements = (db: Db) =>
  prepared(db, 'holds', () => ({
    released: db.$client.prepare<[string, number]>('select 1 from hold_releases where order_id = ? and revision = ?'),
    products: db.$client.prepare<[string], { sku: string; version: number; hoursPerUnit: number }>(
      'select sku, version, hours_per_unit as hoursPerUnit from products where sku in (select value from json_each(?))',
    ),
    boms: db.$client.prepare<[string], { sku: string; materialId: string; quantityPerUnit: number }>(
      `select sku, material_id as materialId, quantity_per_unit as quantityPerUnit from product_materials
       where sku in (select value from json_each(?))`,
    ),
    reservations: db.$client.prepare<[string, number], { n: number }>(
      'select count(*) as n from material_reservations where order_id = ? and revision = ?',
    ),
    reserve: db.$client.prepare<[string, number, string, number, number, string]>(
      `insert into material_reservations (order_id, revision, material_id, quantity, pre_purchase, reserved_at, released_at)
       values (?, ?, ?, ?, ?, ?, null) on conflict do nothing`,
    ),
    capacity: db.$client.prepare<[], { hoursPerDay: number; version: number }>(
      'select hours_per_day as hoursPerDay, version from capacity_settings where id = 1',
    ),
    bookings: db.$client.prepare<[string, number], { hours: number }>(
      'select hours from capacity_bookings where order_id = ? and revision = ?',
    ),
    book: db.$client.prepare<[string, number, string, number, string]>(
      `insert into capacity_bookings (order_id, revision, day, hours, booked_at, released_at)
       values (?, ?, ?, ?, ?, null) on conflict do nothing`,
    ),
  }));

export function createHoldActivities({ db, now, onEventsLogged }: ActivityDeps) {
  return {
    /** materials: enough stock for the bill of materials? Reserve it, or report the pre-purchase needed. */
    async reserveMaterials({ order, revision, force }: HoldRequest): Promise<HoldResult<MaterialsEvidence>> {
      const at = now().toISOString();
      let logged = 0;
      const st = statements(db);
      const result = writeTx(db, (tx): HoldResult<MaterialsEvidence> => {
        if (st.released.get(order.orderId, revision)) return { findings: [], held: false, summary: 'revision already released' };
        const skus = [...new Set(order.lines.map((l) => l.sku))];
        const skuList = JSON.stringify(skus);
        const productVersion = new Map(st.products.all(skuList).map((p) => [p.sku, p.version]));
        const bomRows = st.boms.all(skuList);
        const boms: Record<string, { materialId: string; quantityPerUnit: number }[]> = {};
        for (const r of bomRows) (boms[r.sku] ??= []).push({ materialId: r.materialId, quantityPerUnit: r.quantityPerUnit });
        const needs = materialNeeds(order.lines, boms);

        const ids = needs.map((n) => n.materialId);
        // Reserved = active reservations − what fulfilment consumed or released (db/stock.ts), without this check's
        // own rows: a retry finds them below, and must show the figures it decided on.
        const before = materialStock(tx, ids, { orderId: order.orderId, revision });
        const stock = Object.fromEntries([...before].map(([id, m]) => [id, { onHand: m.onHand, reserved: m.reserved }]));
        const evidence: MaterialsEvidence = {
          materials: needs.map((n) => {
            const m = before.get(n.materialId);
            return {
              materialId: n.materialId,
              version: m?.version ?? null,
              needed: n.quantity,
              onHand: m?.onHand ?? 0,
              reserved: m?.reserved ?? 0,
              available: m?.available ?? 0,
            };
          }),
          products: skus.map((sku) => ({ sku, version: productVersion.get(sku) ?? null })),
        };

        const mine = st.reservations.get(order.orderId, revision)!.n;
        if (mine > 0) return { findings: [], held: true, summary: `reserved ${mine} material(s)`, evidence };
        if (needs.length === 0) return { findings: [], held: true, summary: 'no materials needed', evidence };

        const { findings, shortages } = checkMaterials(needs, stock);
        if (findings.length > 0 && !force) return { findings, held: false, summary: 'not reserved', evidence };

        const short = new Map(shortages.map((s) => [s.materialId, s.short]));
        for (const n of needs) {
          st.reserve.run(order.orderId, revision, n.materialId, Math.ceil(n.quantity), Math.ceil(short.get(n.materialId) ?? 0), at);
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
        return { findings: [], held: true, summary: `reserved ${needs.length} material(s)${pre}`, evidence };
      });
      if (logged > 0) onEventsLogged?.();
      return result;
    },

    /** capacity: can production finish by the requested date? Book the hours, earliest days first. */
    async bookCapacity({ order, revision, force, calendar }: HoldRequest): Promise<HoldResult<CapacityEvidence>> {
      const current = now();
      const today = dayOf(current, calendar);
      const st = statements(db);
      return writeTx(db, (tx): HoldResult<CapacityEvidence> => {
        if (st.released.get(order.orderId, revision)) return { findings: [], held: false, summary: 'revision already released' };
        const skus = [...new Set(order.lines.map((l) => l.sku))];
        const hours = st.products.all(JSON.stringify(skus));
        const required = requiredHours(order.lines, Object.fromEntries(hours.map((r) => [r.sku, r.hoursPerUnit])));
        const settings = st.capacity.get();
        const plan = planCapacity({
          requiredHours: required,
          today,
          requestedDeliveryDate: order.requestedDeliveryDate,
          hoursPerDay: settings?.hoursPerDay ?? 0,
          // Booked = active bookings − hours fulfilment released (db/stock.ts), without this check's own rows.
          bookedByDay: bookedHoursByDay(tx, today, order.requestedDeliveryDate, { orderId: order.orderId, revision }),
          calendar,
        });
        const bySku = new Map(hours.map((r) => [r.sku, r]));
        const evidence: CapacityEvidence = {
          today,
          requestedDeliveryDate: order.requestedDeliveryDate,
          hoursNeeded: required,
          hoursFree: plan.freeHours,
          hoursPerDay: settings?.hoursPerDay ?? 0,
          capacityVersion: settings?.version ?? null,
          products: skus.map((sku) => ({ sku, version: bySku.get(sku)?.version ?? null, hoursPerUnit: bySku.get(sku)?.hoursPerUnit ?? null })),
        };

        const mine = st.bookings.all(order.orderId, revision);
        if (mine.length > 0) return { findings: [], held: true, summary: `booked ${sumHours(mine)} h`, evidence };
        if (required <= 0) return { findings: [], held: true, summary: 'no production hours needed', evidence };

        if (plan.findings.length > 0 && !force) return { findings: plan.findings, held: false, summary: 'not booked', evidence };
        // Approved despite no production day before the delivery date: book it on the delivery date itself.
        const bookings = plan.bookings.length ? plan.bookings : [{ day: order.requestedDeliveryDate, hours: required }];
        const bookedAt = current.toISOString();
        for (const b of bookings) st.book.run(order.orderId, revision, b.day, b.hours, bookedAt);
        return { findings: [], held: true, summary: `booked ${required} h over ${bookings.length} day(s)`, evidence };
      });
    },

    /** Releases every active hold of the order up to `revision`, and refuses later holds for it. */
    /**
     * Releases every active hold of the order up to `revision`, and refuses later holds for it. `keep` names the
     * holds an amendment keeps because their step's result is kept (contract section 12): those stay in force.
     */
    async releaseHolds({ orderId, revision, reason, keep = [] }: { orderId: string; revision: number; reason: string; keep?: ('materials' | 'capacity')[] }) {
      const at = now().toISOString();
      return writeTx(db, (tx) => {
        tx.insert(holdReleases).values({ orderId, revision, releasedAt: at, reason }).onConflictDoNothing().run();
        const m = keep.includes('materials') ? { changes: 0 } : tx
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
        const c = keep.includes('capacity') ? { changes: 0 } : tx
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

/** Bookings are on the micro-hour grid (domain/checks/capacity.ts): sum them there, free of float noise. */
function sumHours(rows: { hours: number }[]): number {
  return rows.reduce((s, r) => s + Math.round(r.hours * 1_000_000), 0) / 1_000_000;
}
