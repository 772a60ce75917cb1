/**
 * Fulfilment after approval (contract section 9), as pure rules: what a shipment may take, what it consumes of the
 * order's reservation and booked hours, and where the order stands. The API's fulfilment service applies them in one
 * transaction; nothing here touches a database.
 */
import { requiredHours } from './checks/capacity';
import { materialNeeds } from './checks/materials';

export const FULFILMENT_EVENTS = ['production_started', 'shipped', 'delivered', 'invoiced', 'closed', 'after_sales_opened'] as const;
export type FulfilmentEvent = (typeof FULFILMENT_EVENTS)[number];

/** `approved` until the first event; then the furthest stage the order has reached. */
export const FULFILMENT_STATUSES = ['approved', 'in_production', 'partially_shipped', 'shipped', 'delivered', 'invoiced', 'closed'] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];

/** Which part of a request is wrong and why (the API answers it as a field error). */
export interface LineError {
  path: string;
  message: string;
}

export interface SkuQuantity {
  sku: string;
  quantity: number;
}

// Hours are fractional; compare with a tolerance so float noise never leaves a sliver booked.
const EPSILON = 1e-6;
const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Quantities per SKU (an order may name a SKU on several lines). */
export function bySku(lines: readonly SkuQuantity[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + l.quantity);
  return m;
}

function toLines(m: Map<string, number>): SkuQuantity[] {
  return [...m.entries()].filter(([, q]) => q > 0).map(([sku, quantity]) => ({ sku, quantity }));
}

/** Whether the shipments so far cover every line ordered. */
export function isFullyShipped(ordered: readonly SkuQuantity[], shipped: readonly SkuQuantity[]): boolean {
  const done = bySku(shipped);
  return [...bySku(ordered)].every(([sku, q]) => (done.get(sku) ?? 0) >= q);
}

/**
 * Checks a shipment against what was ordered and what earlier shipments took. Without `requested`, it ships
 * everything not shipped yet. `errors` (field errors naming the request's lines) mean nothing may be shipped.
 */
export function planShipment(input: {
  ordered: readonly SkuQuantity[];
  shippedBefore: readonly SkuQuantity[];
  requested?: readonly SkuQuantity[];
}): { lines: SkuQuantity[]; errors: LineError[]; shippedAfter: SkuQuantity[]; complete: boolean } {
  const ordered = bySku(input.ordered);
  const shipped = bySku(input.shippedBefore);
  const remaining = new Map([...ordered].map(([sku, q]) => [sku, q - (shipped.get(sku) ?? 0)]));
  const errors: LineError[] = [];
  let lines: SkuQuantity[];
  if (input.requested) {
    lines = [...input.requested];
    input.requested.forEach((l, i) => {
      const left = remaining.get(l.sku);
      if (left === undefined) {
        errors.push({ path: `lines.${i}.sku`, message: `${l.sku} is not on the order` });
      } else if (l.quantity > left) {
        errors.push({
          path: `lines.${i}.quantity`,
          message: `${l.quantity} × ${l.sku} is more than the ${left} still to ship (${ordered.get(l.sku)} ordered, ${shipped.get(l.sku) ?? 0} shipped)`,
        });
      }
    });
  } else {
    lines = toLines(remaining);
    if (lines.length === 0) errors.push({ path: 'lines', message: 'everything ordered has already been shipped' });
  }
  const after = new Map(shipped);
  for (const l of lines) after.set(l.sku, (after.get(l.sku) ?? 0) + l.quantity);
  const shippedAfter = toLines(after);
  return { lines, errors, shippedAfter, complete: isFullyShipped(input.ordered, shippedAfter) };
}

/**
 * What a shipment consumes of each reserved material. Counted cumulatively — the quantity shipped so far needs
 * ⌈Σ quantity × BOM⌉, never more than was reserved, and all of it once everything is shipped — so the parts add up
 * exactly to the reservation however the order is split, and fractional bills of materials never drift.
 */
export function materialConsumption(input: {
  reserved: ReadonlyMap<string, number>;
  consumedBefore: ReadonlyMap<string, number>;
  boms: Record<string, { materialId: string; quantityPerUnit: number }[]>;
  shippedAfter: readonly SkuQuantity[];
  complete: boolean;
}): { materialId: string; quantity: number }[] {
  const needs = new Map(
    materialNeeds(
      input.shippedAfter.map((l) => ({ ...l, unitPriceMinor: 0 })),
      input.boms,
    ).map((n) => [n.materialId, n.quantity]),
  );
  const out: { materialId: string; quantity: number }[] = [];
  for (const [materialId, reserved] of input.reserved) {
    const target = input.complete ? reserved : Math.min(reserved, Math.ceil(needs.get(materialId) ?? 0));
    const quantity = target - (input.consumedBefore.get(materialId) ?? 0);
    if (quantity > 0) out.push({ materialId, quantity });
  }
  return out;
}

/**
 * The booked hours a shipment uses, taken from the order's booked days earliest first. Cumulative like materials:
 * the hours the shipped quantity needs (all booked hours once everything is shipped), never more than was booked.
 */
export function capacityUse(input: {
  booked: readonly { day: string; hours: number }[];
  usedBefore: ReadonlyMap<string, number>;
  hoursPerUnit: Record<string, number>;
  shippedAfter: readonly SkuQuantity[];
  complete: boolean;
}): { day: string; hours: number }[] {
  const days = [...input.booked].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const totalBooked = days.reduce((s, b) => s + b.hours, 0);
  const usedSoFar = [...input.usedBefore.values()].reduce((s, h) => s + h, 0);
  const needed = requiredHours(
    input.shippedAfter.map((l) => ({ ...l, unitPriceMinor: 0 })),
    input.hoursPerUnit,
  );
  let take = (input.complete ? totalBooked : Math.min(totalBooked, needed)) - usedSoFar;
  const out: { day: string; hours: number }[] = [];
  for (const b of days) {
    if (take <= EPSILON) break;
    const free = b.hours - (input.usedBefore.get(b.day) ?? 0);
    const h = Math.min(free, take);
    if (h > EPSILON) {
      out.push({ day: b.day, hours: round6(h) });
      take -= h;
    }
  }
  return out;
}

/** What is still held (reserved or booked) per key once consumption and earlier releases are taken off. */
export function stillHeld(held: ReadonlyMap<string, number>, ...taken: ReadonlyMap<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, q] of held) {
    const left = round6(taken.reduce((rest, t) => rest - (t.get(key) ?? 0), q));
    if (left > EPSILON) out.set(key, left);
  }
  return out;
}

const STAGE_RANK: Record<FulfilmentStatus, number> = {
  approved: 0,
  in_production: 1,
  partially_shipped: 2,
  shipped: 3,
  delivered: 4,
  invoiced: 5,
  closed: 6,
};

/**
 * Where an approved order stands: the furthest stage any recorded event reached (reports may arrive out of order,
 * e.g. an invoice before the delivery note). A shipment counts as `shipped` once everything ordered has gone.
 */
export function fulfilmentStatus(events: readonly { event: FulfilmentEvent }[], fullyShipped: boolean): FulfilmentStatus {
  let status: FulfilmentStatus = 'approved';
  for (const { event } of events) {
    const stage: FulfilmentStatus | null =
      event === 'production_started'
        ? 'in_production'
        : event === 'shipped'
          ? fullyShipped
            ? 'shipped'
            : 'partially_shipped'
          : event === 'after_sales_opened'
            ? null
            : event;
    if (stage && STAGE_RANK[stage] > STAGE_RANK[status]) status = stage;
  }
  return status;
}
