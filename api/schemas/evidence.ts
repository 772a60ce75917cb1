/** The evidence of an automatic check as the order view shows it (domain/evidence.ts, contract section 10). */
import { z } from 'zod';
import { money } from './common';

const productVersion = { sku: z.string(), version: z.number().int().nullable() };

const infoCheck = z
  .object({
    today: z.string(),
    products: z.array(z.object({ ...productVersion, listPrice: money.nullable() })).describe('the list price of each SKU, and the product version it came from'),
  })
  .meta({ id: 'InfoCheckEvidence' });

const credit = z
  .object({
    customerVersion: z.number().int(),
    creditLimit: money,
    openBalance: money,
    openOrders: money.describe("the customer's other orders in review, with changes requested, or approved"),
    thisOrder: money,
    exposure: money.describe('openBalance + openOrders + thisOrder'),
    onHold: z.boolean(),
    paymentTerms: z.string(),
    allowedPaymentTerms: z.array(z.string()),
  })
  .meta({ id: 'CreditEvidence' });

const capacity = z
  .object({
    today: z.string(),
    requestedDeliveryDate: z.string(),
    hoursNeeded: z.number(),
    hoursFree: z.number().describe("free production hours from today until the delivery date, other orders' bookings deducted"),
    hoursPerDay: z.number(),
    capacityVersion: z.number().int().nullable(),
    products: z.array(z.object({ ...productVersion, hoursPerUnit: z.number().nullable() })),
  })
  .meta({ id: 'CapacityEvidence' });

const materials = z
  .object({
    materials: z.array(
      z.object({
        materialId: z.string(),
        version: z.number().int().nullable(),
        needed: z.number(),
        onHand: z.number(),
        reserved: z.number().describe("held by other orders' active reservations"),
        available: z.number(),
      }),
    ),
    products: z.array(z.object(productVersion)),
  })
  .meta({ id: 'MaterialsEvidence' });

/**
 * What a step's automatic check decided on: the master-data versions and the figures. The kind follows from the step
 * (info_check, credit, capacity, materials); null for a step not checked yet or checked on the order alone.
 */
// Most specific first: a union answers with the first member that fits, and each member's required fields tell them apart.
export const checkEvidence = z.union([materials, capacity, credit, infoCheck]);
