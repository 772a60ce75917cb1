import { z } from 'zod';
import { CUSTOMER_TIERS } from '../../domain/types';
import { currency, id, isoTimestamp, money, nextCursor, pageQuery, paymentTerms, shipTo, shipToView, singleLine } from './common';

const name = singleLine(200);
const version = z.number().int().describe('the current version; every change is kept (GET …/versions)');

export const contact = z.strictObject({
  name: singleLine(200).optional(),
  email: z.email().max(254).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 ()./-]{2,31}$/, 'must be a phone number of digits, spaces and ()./- , optionally starting with +')
    .optional(),
});

/** What a returning customer's orders may leave out: intake fills them in (section 10). */
export const customerDefaults = z
  .strictObject({
    paymentTerms: paymentTerms.optional(),
    currency: currency.optional(),
    shipTo: shipTo.optional(),
    contact: contact.optional(),
  })
  .describe("filled into an order that leaves paymentTerms, currency or shipTo out; the order lists them in filledFromCustomer");

export const customerParams = z.object({ customerId: id });
export const customerBody = z
  .strictObject({
    name,
    tier: z.enum(CUSTOMER_TIERS),
    creditLimit: money,
    openBalance: money,
    allowedPaymentTerms: z.array(paymentTerms).max(20),
    onHold: z.boolean(),
    defaults: customerDefaults.optional(),
  })
  .superRefine((c, ctx) => {
    // A default the credit check would always refuse is a mistake, not a default.
    const terms = c.defaults?.paymentTerms?.toUpperCase();
    if (terms && !c.allowedPaymentTerms.some((t) => t.toUpperCase() === terms)) {
      ctx.addIssue({ code: 'custom', path: ['defaults', 'paymentTerms'], message: 'must be one of allowedPaymentTerms' });
    }
  });
export const customerView = z.object({
  customerId: z.string(),
  name: z.string(),
  tier: z.enum(CUSTOMER_TIERS),
  creditLimit: money,
  openBalance: money,
  allowedPaymentTerms: z.array(z.string()),
  onHold: z.boolean(),
  defaults: z.object({
    paymentTerms: z.string().optional(),
    currency: z.string().optional(),
    shipTo: shipToView.optional(),
    contact: z.object({ name: z.string().optional(), email: z.string().optional(), phone: z.string().optional() }).optional(),
  }),
  version,
  updatedAt: isoTimestamp,
});

export const productParams = z.object({ sku: id });
export const productBody = z.strictObject({
  name,
  unitPrice: money,
  hoursPerUnit: z.number().finite().min(0).max(10_000),
  materials: z
    .array(z.strictObject({ materialId: id, quantityPerUnit: z.number().finite().positive().max(1_000_000) }))
    .max(100)
    .default([])
    .refine((bom) => new Set(bom.map((m) => m.materialId)).size === bom.length, 'a material may appear only once'),
});
export const productView = z.object({
  sku: z.string(),
  name: z.string(),
  unitPrice: money,
  hoursPerUnit: z.number(),
  materials: z.array(z.object({ materialId: z.string(), quantityPerUnit: z.number() })),
  version,
  updatedAt: isoTimestamp,
});

export const materialParams = z.object({ materialId: id });
export const materialBody = z.strictObject({
  name,
  onHand: z.number().int().min(0).max(1_000_000_000_000),
  reorderPoint: z
    .number()
    .int()
    .min(0)
    .max(1_000_000_000_000)
    .optional()
    .describe('procurement is notified when available stock falls below it; leave out for none'),
});
export const materialView = z.object({
  materialId: z.string(),
  name: z.string(),
  onHand: z.number().int(),
  reserved: z
    .number()
    .describe('held by orders under review or approved: active reservations less what shipments consumed and closing released'),
  available: z.number().describe('onHand − reserved; negative when a department approved an overbooking'),
  version,
  reorderPoint: z.number().int().nullable(),
  belowReorderPoint: z.boolean().describe('available < reorderPoint'),
  updatedAt: isoTimestamp,
});

export const capacityBody = z.strictObject({ hoursPerDay: z.number().finite().positive().max(24 * 100) });
export const capacityView = z.object({
  hoursPerDay: z.number(),
  version,
  updatedAt: isoTimestamp,
  booked: z
    .array(
      z.object({
        day: z.string(),
        hours: z.number().describe('hours booked by active bookings (less what closed orders released)'),
        used: z.number().describe('of those, hours shipments reported as produced'),
      }),
    )
    .describe('hours booked per day'),
});

export const listQuery = z.object({
  limit: pageQuery.limit,
  cursor: pageQuery.cursor,
});

export const materialListQuery = listQuery.extend({
  belowReorderPoint: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only materials whose available stock is below their reorder point'),
});

export const customerList = z.object({ items: z.array(customerView), nextCursor });
export const productList = z.object({ items: z.array(productView), nextCursor });
export const materialList = z.object({ items: z.array(materialView), nextCursor });

/** One kept version of a master-data record: who wrote it, when, and what changed (field → from/to). */
export const versionList = z
  .array(
    z.object({
      version: z.number().int(),
      at: isoTimestamp,
      by: z.string().describe('the principal that wrote it ("seed" for demo data, "migration" for data from before v1.1)'),
      changes: z
        .record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))
        .describe('field → { from, to } in the API form; version 1 (the creation) lists every field, from null'),
    }),
  )
  .describe('oldest first');
