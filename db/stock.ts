/**
 * What stock and capacity are held, read the same way by the review's holds (worker) and the API. A hold is made
 * by a review (material_reservations, capacity_bookings, written by the holds activities) and after approval used
 * up or given back by fulfilment (stock_moves, capacity_moves, written by the fulfilment service):
 *   reserved(material) = active reservations − consumed − released,
 *   booked(day)        = active bookings − released (used hours stay booked on their day).
 * Also the one place that logs `material.below_reorder_point`, so every writer that lowers availability tells
 * procurement the same way.
 */
import { and, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { fellBelowReorderPoint } from '../domain/checks/reorder-point';
import type { NewEvent } from '../domain/events';
import { type Db, type Tx, dbOf, prepared } from './client';
import { appendEvents, materialStream } from './events';
import { capacityBookings, capacityMoves, materialReservations, type materials, stockMoves } from './schema';

type Reader = Tx | Db;

/**
 * Holds of one order revision to leave out of the figures: a retried check finds its own rows, and must see (and
 * show as evidence) the figures it first decided on.
 */
export interface ExceptHolds {
  orderId: string;
  revision: number;
}

const notMine = (cols: typeof materialReservations | typeof capacityBookings, except?: ExceptHolds): SQL =>
  except ? sql`not (${cols.orderId} = ${except.orderId} and ${cols.revision} = ${except.revision})` : sql`1`;

/** The reserved quantity of a material, as a correlated SQL expression over `materialId` (e.g. materials.id). */
export function reservedSql(materialId: SQL | typeof materials.id, except?: ExceptHolds): SQL<number> {
  return sql<number>`(coalesce((select sum(${materialReservations.quantity}) from ${materialReservations}
      where ${materialReservations.materialId} = ${materialId} and ${materialReservations.releasedAt} is null
        and ${notMine(materialReservations, except)}), 0)
    - coalesce((select sum(${stockMoves.quantity}) from ${stockMoves} where ${stockMoves.materialId} = ${materialId}), 0))`;
}

export interface MaterialStock {
  materialId: string;
  name: string;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number | null;
  version: number;
  updatedAt: string;
}

interface StockRow {
  materialId: string;
  name: string;
  onHand: number;
  reorderPoint: number | null;
  updatedAt: string;
  version: number;
  reserved: number;
}

/**
 * The stock and capacity reads of the holds (every order's materials and capacity checks run them), prepared once per
 * database: `reservedSql` and the booked hours as plain SQL, the id lists as one JSON parameter (`json_each`), the
 * excepted hold as parameters (null: none excepted, every hold counts).
 */
const stockStatements = (db: Db) =>
  prepared(db, 'stock', () => ({
    materials: db.$client.prepare<{ ids: string; orderId: string | null; revision: number | null }, StockRow>(
      `select m.id as materialId, m.name, m.on_hand as onHand, m.reorder_point as reorderPoint, m.updated_at as updatedAt,
         m.version,
         (coalesce((select sum(r.quantity) from material_reservations r
             where r.material_id = m.id and r.released_at is null
               and coalesce(not (r.order_id = @orderId and r.revision = @revision), 1)), 0)
           - coalesce((select sum(s.quantity) from stock_moves s where s.material_id = m.id), 0)) as reserved
       from materials m where m.id in (select value from json_each(@ids))`,
    ),
    bookedByDay: db.$client.prepare<{ from: string; to: string; orderId: string | null; revision: number | null }, { day: string; h: number }>(
      `select day, sum(hours) as h from capacity_bookings
       where released_at is null and day >= @from and day < @to and coalesce(not (order_id = @orderId and revision = @revision), 1)
       group by day`,
    ),
    releasedByDay: db.$client.prepare<[string, string], { day: string; h: number }>(
      `select day, sum(hours) as h from capacity_moves where kind = 'released' and day >= ? and day < ? group by day`,
    ),
  }));

/** The materials with their reserved and available stock (unknown ids are left out). */
export function materialStock(tx: Reader, ids: readonly string[], except?: ExceptHolds): Map<string, MaterialStock> {
  if (ids.length === 0) return new Map();
  const rows = stockStatements(dbOf(tx)).materials.all({ ids: JSON.stringify(ids), orderId: except?.orderId ?? null, revision: except?.revision ?? null });
  return new Map(
    rows.map((r) => {
      const reserved = Number(r.reserved);
      return [r.materialId, { ...r, reserved, available: r.onHand - reserved }];
    }),
  );
}

/** Hours held per day in [from, to): what the capacity check plans around. */
export function bookedHoursByDay(tx: Reader, from: string, to: string, except?: ExceptHolds): Record<string, number> {
  const st = stockStatements(dbOf(tx));
  const booked = st.bookedByDay.all({ from, to, orderId: except?.orderId ?? null, revision: except?.revision ?? null });
  const out: Record<string, number> = Object.fromEntries(booked.map((r) => [r.day, Number(r.h)]));
  if (booked.length === 0) return out;
  for (const r of st.releasedByDay.all(from, to)) if (out[r.day] !== undefined) out[r.day] = out[r.day]! - Number(r.h);
  return out;
}

/** Every day with hours held or used: what GET /v1/capacity shows. */
export function capacityByDay(tx: Reader): { day: string; hours: number; used: number }[] {
  const byDay = new Map<string, { hours: number; used: number }>();
  const at = (day: string) => byDay.get(day) ?? byDay.set(day, { hours: 0, used: 0 }).get(day)!;
  for (const r of tx
    .select({ day: capacityBookings.day, h: sql<number>`sum(${capacityBookings.hours})` })
    .from(capacityBookings)
    .where(isNull(capacityBookings.releasedAt))
    .groupBy(capacityBookings.day)
    .all()) {
    at(r.day).hours += Number(r.h);
  }
  for (const r of tx
    .select({ day: capacityMoves.day, kind: capacityMoves.kind, h: sql<number>`sum(${capacityMoves.hours})` })
    .from(capacityMoves)
    .groupBy(capacityMoves.day, capacityMoves.kind)
    .all()) {
    const d = at(r.day);
    if (r.kind === 'released') d.hours -= Number(r.h);
    else d.used += Number(r.h);
  }
  // Rounded for display: sums of fractional hours pick up float noise (0.1 + 0.2).
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  return [...byDay.entries()]
    .map(([day, d]) => ({ day, hours: r3(d.hours), used: r3(d.used) }))
    .filter((d) => d.hours > 0 || d.used > 0)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/**
 * Logs `material.below_reorder_point` for each material the change took below its reorder point. `before` is the
 * stock read in the same transaction before the change; `eventId` must be stable for a retried change (a natural key
 * of the cause), so a retry logs nothing twice. Returns how many events were logged.
 */
export function logReorderCrossings(
  tx: Tx,
  before: ReadonlyMap<string, Pick<MaterialStock, 'available' | 'reorderPoint'>>,
  cause: { eventId: (materialId: string) => string; actor: string; at: string; orderId?: string },
): number {
  const after = materialStock(tx, [...before.keys()]);
  let logged = 0;
  for (const [materialId, now] of after) {
    const was = before.get(materialId);
    if (!was || !fellBelowReorderPoint(was, now)) continue;
    const event: NewEvent = {
      id: cause.eventId(materialId),
      type: 'material.below_reorder_point',
      at: cause.at,
      revision: null,
      step: null,
      actor: cause.actor,
      data: {
        materialId,
        available: now.available,
        reorderPoint: now.reorderPoint,
        onHand: now.onHand,
        reserved: now.reserved,
        ...(cause.orderId ? { orderId: cause.orderId } : {}),
      },
    };
    logged += appendEvents(tx, { stream: materialStream(materialId), orderId: null, submittedBy: null }, [event]);
  }
  return logged;
}
