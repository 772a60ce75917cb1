/** The order as submitted, its normalised internal form, and the JSON form the API shows. */
import { formatMoney, parseMoney } from './money';
import type { Channel, NormalisedOrder, Priority } from './types';

/** The submit body after API schema validation (money still as strings). */
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
}

/** The order as the API shows it: the normalised order with money as decimal strings, no minor-unit fields. */
export type PublicOrder = Omit<NormalisedOrder, 'lines' | 'declaredTotalMinor' | 'totalMinor'> & {
  lines: { sku: string; quantity: number; unitPrice: string; lineTotal: string }[];
  declaredTotal: string | null;
  total: string;
};

/** Trims and upper-cases where comparisons need it, applies defaults and computes the total in minor units. */
export function normaliseOrder(input: OrderInput, orderId: string): NormalisedOrder {
  const lines = input.lines.map((line) => ({
    sku: line.sku.trim(),
    quantity: line.quantity,
    unitPriceMinor: parseMoney(line.unitPrice.trim()),
  }));
  const notes = input.notes?.trim();
  return {
    orderId: orderId.trim(),
    customerId: input.customerId.trim(),
    channel: input.channel,
    currency: input.currency.trim().toUpperCase(),
    requestedDeliveryDate: input.requestedDeliveryDate.trim(),
    paymentTerms: input.paymentTerms.trim().toUpperCase(),
    priority: input.priority ?? 'normal',
    lines,
    declaredTotalMinor: input.declaredTotal === undefined ? null : parseMoney(input.declaredTotal.trim()),
    totalMinor: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0),
    specialRequirements: (input.specialRequirements ?? []).map((r) => r.trim()).filter((r) => r.length > 0),
    notes: notes ? notes : null,
  };
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
  };
}
