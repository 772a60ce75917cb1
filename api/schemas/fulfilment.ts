/** Fulfilment feedback after approval (contract section 9): the ERP's report and the order view's fulfilment block. */
import { z } from 'zod';
import { FULFILMENT_EVENTS, FULFILMENT_STATUSES } from '../../domain/fulfilment';
import { id, isoTimestamp } from './common';

const skuQuantity = z.strictObject({
  sku: id,
  quantity: z.number().int('must be a whole number').positive('must be a positive whole number').max(10_000_000),
});

export const fulfilmentBody = z
  .strictObject({
    event: z.enum(FULFILMENT_EVENTS),
    reference: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe("the ERP's document number (delivery note, invoice, case …); with orderId and event the idempotency key"),
    at: z.iso.datetime({ offset: true }).optional().describe('when it happened (default: when it is recorded)'),
    lines: z
      .array(skuQuantity)
      .min(1)
      .max(200)
      .optional()
      .describe('shipped only: the quantities of a partial shipment (default: everything not shipped yet)'),
  })
  .superRefine((b, ctx) => {
    if (b.lines && b.event !== 'shipped') ctx.addIssue({ code: 'custom', path: ['lines'], message: 'lines are given only for shipped' });
    const skus = (b.lines ?? []).map((l) => l.sku);
    skus.forEach((sku, i) => {
      if (skus.indexOf(sku) !== i) ctx.addIssue({ code: 'custom', path: ['lines', i, 'sku'], message: `${sku} is named twice` });
    });
  });

const fulfilmentEventView = z.object({
  event: z.enum(FULFILMENT_EVENTS),
  reference: z.string(),
  at: isoTimestamp,
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })).nullable(),
  recordedBy: z.string(),
  recordedAt: isoTimestamp,
});

export const fulfilmentView = z
  .object({
    status: z.enum(FULFILMENT_STATUSES).describe('approved until the first event, then the furthest stage reached'),
    events: z.array(fulfilmentEventView).describe('in the order they were recorded'),
    shipped: z.array(z.object({ sku: z.string(), ordered: z.number().int(), shipped: z.number().int() })),
    afterSalesCases: z.array(z.object({ reference: z.string(), at: isoTimestamp })).describe('after-sales cases linked to the order'),
  })
  .meta({ id: 'Fulfilment' });
