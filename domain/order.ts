/**
 * The order as submitted, its normalised internal form, and the JSON form the API shows.
 *
 * Intake works in two steps: `normaliseRequest` trims and canonicalises what the caller sent (the idempotency hash
 * is taken over this, so a retry matches even after the customer's defaults or list prices changed), and
 * `completeOrder` fills what the request left to master data (the customer's defaults, a repeated order's lines).
 */
import { formatMoney, parseMoney } from './money';
import type { Channel, CustomerDefaults, DefaultableOrderField, NormalisedOrder, OrderLine, Priority, ShipTo } from './types';

/** The submit body after API schema validation (money still as strings), with every order field given. */
export interface OrderInput {
  orderId?: string;
  customerId: string;
  channel: Channel;
  currency: string;
  requestedDeliveryDate: string;
  paymentTerms: string;
  priority?: Priority;
  lines: { sku: string; quantity: number; unitPrice: string }[];
  declaredTotal?: string;
  specialRequirements?: string[];
  notes?: string;
  shipTo?: ShipTo;
}

/** A submit or amend body as the API accepts it: the defaultable fields may be left out, and a repeat has no lines. */
export type OrderRequestInput = Omit<OrderInput, 'currency' | 'paymentTerms' | 'lines'> & {
  currency?: string;
  paymentTerms?: string;
  lines?: OrderInput['lines'];
  /** The earlier order whose lines to copy. */
  repeatOf?: string;
};

/** The request, normalised: what the caller asked for, before master data filled anything in. */
export type OrderRequest = Omit<NormalisedOrder, 'currency' | 'paymentTerms' | 'lines' | 'totalMinor' | 'filledFromCustomer'> & {
  currency?: string;
  paymentTerms?: string;
  lines?: OrderLine[];
  totalMinor?: number;
};

/** The order as the API shows it: the normalised order with money as decimal strings, no minor-unit fields. */
export type PublicOrder = Omit<NormalisedOrder, 'lines' | 'declaredTotalMinor' | 'totalMinor'> & {
  lines: { sku: string; quantity: number; unitPrice: string; lineTotal: string }[];
  declaredTotal: string | null;
  total: string;
};

const sumLines = (lines: OrderLine[]): number => lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);

function normaliseShipTo(s: ShipTo): ShipTo {
  const name = s.name?.trim();
  const postalCode = s.postalCode?.trim();
  return {
    ...(name ? { name } : {}),
    street: s.street.trim(),
    city: s.city.trim(),
    ...(postalCode ? { postalCode } : {}),
    country: s.country.trim().toUpperCase(),
  };
}

/**
 * Trims and upper-cases where comparisons need it and applies defaults that need no master data. For a request
 * that gives every field, the result has exactly the keys and values `normaliseOrder` always produced (fields left
 * out are undefined, which the idempotency hash ignores), so the hash of such a request never changed.
 */
export function normaliseRequest(input: OrderRequestInput, orderId: string): OrderRequest {
  const lines = input.lines?.map((line) => ({
    sku: line.sku.trim(),
    quantity: line.quantity,
    unitPriceMinor: parseMoney(line.unitPrice.trim()),
  }));
  const notes = input.notes?.trim();
  return {
    orderId: orderId.trim(),
    customerId: input.customerId.trim(),
    channel: input.channel,
    currency: input.currency?.trim().toUpperCase(),
    requestedDeliveryDate: input.requestedDeliveryDate.trim(),
    paymentTerms: input.paymentTerms?.trim().toUpperCase(),
    priority: input.priority ?? 'normal',
    lines,
    declaredTotalMinor: input.declaredTotal === undefined ? null : parseMoney(input.declaredTotal.trim()),
    totalMinor: lines ? sumLines(lines) : undefined,
    specialRequirements: (input.specialRequirements ?? []).map((r) => r.trim()).filter((r) => r.length > 0),
    notes: notes ? notes : null,
    shipTo: input.shipTo ? normaliseShipTo(input.shipTo) : undefined,
    repeatOf: input.repeatOf?.trim(),
  };
}

/** What master data contributes to a request: the customer's defaults, and for a repeat the lines to copy. */
export interface OrderSources {
  defaults: CustomerDefaults | null;
  /** A repeat order's lines: the earlier order's SKUs and quantities, priced at today's list prices. */
  repeatedLines?: OrderLine[];
}

export type CompletedOrder =
  | { ok: true; order: NormalisedOrder }
  /** Fields neither the request nor the customer's defaults give (the API answers 422 naming them). */
  | { ok: false; missing: ('paymentTerms' | 'currency' | 'lines')[] };

/**
 * Fills the fields the request left out: paymentTerms, currency and shipTo from the customer's defaults (listed in
 * `filledFromCustomer`), the lines of a repeat from `repeatedLines`. Request values always win over defaults.
 */
export function completeOrder(req: OrderRequest, sources: OrderSources): CompletedOrder {
  const filled: DefaultableOrderField[] = [];
  const d = sources.defaults ?? {};
  const pick = <K extends 'paymentTerms' | 'currency'>(field: K): string | undefined => {
    if (req[field] !== undefined) return req[field];
    const fallback = d[field];
    if (fallback === undefined) return undefined;
    filled.push(field);
    return fallback.trim().toUpperCase();
  };
  const paymentTerms = pick('paymentTerms');
  const currency = pick('currency');
  let shipTo = req.shipTo;
  if (shipTo === undefined && d.shipTo) {
    shipTo = normaliseShipTo(d.shipTo);
    filled.push('shipTo');
  }
  const lines = req.lines ?? sources.repeatedLines;

  const missing: ('paymentTerms' | 'currency' | 'lines')[] = [];
  if (paymentTerms === undefined) missing.push('paymentTerms');
  if (currency === undefined) missing.push('currency');
  if (lines === undefined) missing.push('lines');
  if (paymentTerms === undefined || currency === undefined || lines === undefined) return { ok: false, missing };

  const { shipTo: _s, repeatOf, lines: _l, totalMinor: _t, currency: _c, paymentTerms: _p, ...rest } = req;
  const order: NormalisedOrder = {
    ...rest,
    currency,
    paymentTerms,
    lines: lines.map((l) => ({ ...l })),
    totalMinor: sumLines(lines),
  };
  if (shipTo) order.shipTo = shipTo;
  if (filled.length > 0) order.filledFromCustomer = filled;
  if (repeatOf !== undefined) order.repeatOf = repeatOf;
  return { ok: true, order };
}

/** Trims and upper-cases where comparisons need it, applies defaults and computes the total in minor units. */
export function normaliseOrder(input: OrderInput, orderId: string): NormalisedOrder {
  const done = completeOrder(normaliseRequest(input, orderId), { defaults: null });
  // Unreachable: OrderInput carries every field completeOrder could miss.
  if (!done.ok) throw new Error(`order ${orderId} lacks ${done.missing.join(', ')}`);
  return done.order;
}

/** The API representation of a normalised order, with money formatted as "1250.00". */
export function toPublicOrder(o: NormalisedOrder): PublicOrder {
  return {
    orderId: o.orderId,
    customerId: o.customerId,
    channel: o.channel,
    currency: o.currency,
    requestedDeliveryDate: o.requestedDeliveryDate,
    paymentTerms: o.paymentTerms,
    priority: o.priority,
    lines: o.lines.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: formatMoney(line.unitPriceMinor),
      lineTotal: formatMoney(line.quantity * line.unitPriceMinor),
    })),
    declaredTotal: o.declaredTotalMinor === null ? null : formatMoney(o.declaredTotalMinor),
    total: formatMoney(o.totalMinor),
    specialRequirements: [...o.specialRequirements],
    notes: o.notes,
    // Only when present: the view of an order that uses none of them stays as it always was.
    ...(o.shipTo ? { shipTo: { ...o.shipTo } } : {}),
    ...(o.filledFromCustomer ? { filledFromCustomer: [...o.filledFromCustomer] } : {}),
    ...(o.repeatOf !== undefined ? { repeatOf: o.repeatOf } : {}),
  };
}
