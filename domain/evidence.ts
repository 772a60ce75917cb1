/**
 * The evidence each automatic check decided on (contract section 10): the master-data versions it read and the
 * figures it compared, kept on the step and in the log so an auditor can see months later why a step passed on its
 * own. Small and flat on purpose (the console lists the top-level entries); money as decimal strings like the API.
 * Types only: the workflow bundle imports this file.
 */
import type { Finding } from './types';

/** A product as a check read it. `version` is null for a SKU the catalogue does not know. */
export interface ProductVersion {
  sku: string;
  version: number | null;
}

/** info_check: the list price of every SKU of the order, at the product version it came from. */
export interface InfoCheckEvidence {
  /** The day the delivery date was judged against (YYYY-MM-DD). */
  today: string;
  products: (ProductVersion & { listPrice: string | null })[];
}

/** credit: exposure = openBalance + openOrders + thisOrder, against creditLimit, from one customer version. */
export interface CreditEvidence {
  customerVersion: number;
  creditLimit: string;
  openBalance: string;
  /** The customer's other orders in review, with changes requested, or approved. */
  openOrders: string;
  thisOrder: string;
  exposure: string;
  onHold: boolean;
  paymentTerms: string;
  allowedPaymentTerms: string[];
}

/** capacity: the hours the order needs against the hours free from today until the delivery date. */
export interface CapacityEvidence {
  today: string;
  requestedDeliveryDate: string;
  hoursNeeded: number;
  /** Free production hours from today up to (not including) the delivery date, other orders' bookings deducted. */
  hoursFree: number;
  hoursPerDay: number;
  /** The version of the capacity settings; null when capacity was never configured. */
  capacityVersion: number | null;
  products: (ProductVersion & { hoursPerUnit: number | null })[];
}

/** One material as the materials check compared it. */
export interface MaterialFigures {
  materialId: string;
  /** null for a material the master data does not know (nothing is available then). */
  version: number | null;
  needed: number;
  onHand: number;
  /** Held by other orders' active reservations. */
  reserved: number;
  available: number;
}

/** materials: what the bills of materials need against what is available, per material. */
export interface MaterialsEvidence {
  materials: MaterialFigures[];
  /** The products whose bills of materials gave the needs. */
  products: ProductVersion[];
}

/** The evidence of one automatic check; which kind follows from the step. */
export type CheckEvidence = InfoCheckEvidence | CreditEvidence | CapacityEvidence | MaterialsEvidence;

/** What a master-data check returns: why it did not pass (empty: it passed) and what it decided on. */
export interface CheckOutcome<E extends CheckEvidence = CheckEvidence> {
  findings: Finding[];
  evidence: E;
}
