/**
 * The credit exposure of contract section 9, as SAP's credit management counts it: what the customer already owes
 * (`openBalance`, kept by the ERP) plus every order still open with us plus this order. An order is open while it is
 * in review, waiting for changes, or approved and neither invoiced (its amount then moves into `openBalance`) nor
 * closed. Rejected, cancelled and expired orders never count.
 */
import type { OrderStatus } from '../types';

/** Fulfilment events after which an approved order no longer counts: invoiced (now receivable) or closed. */
export const EXPOSURE_CLEARING_EVENTS = ['invoiced', 'closed'] as const;

/** Statuses an order may count in; an approved one only until it is cleared. */
export const EXPOSED_STATUSES: readonly OrderStatus[] = ['in_review', 'changes_requested', 'approved'];

/** Another order of the customer (or a group of them with the same status and clearing, summed). */
export interface ExposureOrder {
  status: OrderStatus;
  /** Invoiced or closed (only an approved order can be). */
  cleared: boolean;
  totalMinor: number;
}

/** Whether an order of the customer counts towards its exposure. */
export function countsTowardExposure(o: Pick<ExposureOrder, 'status' | 'cleared'>): boolean {
  if (o.status === 'approved') return !o.cleared;
  return o.status === 'in_review' || o.status === 'changes_requested';
}

/** The total of the customer's other orders that are still open. */
export function openOrdersMinor(orders: readonly ExposureOrder[]): number {
  return orders.reduce((sum, o) => (countsTowardExposure(o) ? sum + o.totalMinor : sum), 0);
}

/** Exposure = open balance + open orders + this order, in minor units. */
export function creditExposure(input: { openBalanceMinor: number; openOrdersMinor: number; thisOrderMinor: number }): number {
  return input.openBalanceMinor + input.openOrdersMinor + input.thisOrderMinor;
}
