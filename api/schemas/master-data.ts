import { z } from 'zod';
import { CUSTOMER_TIERS } from '../../domain/types';
import { id, isoTimestamp, money, nextCursor, pageQuery } from './common';

const name = z.string().trim().min(1).max(200);

export const customerParams = z.object({ customerId: id });
export const customerBody = z.strictObject({
  name,
  tier: z.enum(CUSTOMER_TIERS),
  creditLimit: money,
  openBalance: money,
  allowedPaymentTerms: z.array(z.string().trim().min(1).max(32)).max(20),
  onHold: z.boolean(),
});
export const customerView = z.object({
  customerId: z.string(),
  name: z.string(),
  tier: z.enum(CUSTOMER_TIERS),
  creditLimit: money,
  openBalance: money,
  allowedPaymentTerms: z.array(z.string()),
  onHold: z.boolean(),
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
  reorderPoint: z.number().int().nullable(),
  belowReorderPoint: z.boolean().describe('available < reorderPoint'),
  updatedAt: isoTimestamp,
});

export const capacityBody = z.strictObject({ hoursPerDay: z.number().finite().positive().max(24 * 100) });
export const capacityView = z.object({
  hoursPerDay: z.number(),
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
