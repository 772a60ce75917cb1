import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/events';
import { isoTimestamp, nextCursor, pageQuery } from './common';

export const webhookId = z.string().regex(/^wh_[A-Za-z0-9_-]{8,64}$/, 'not a webhook id');

export const createWebhookBody = z.strictObject({
  url: z.string().trim().min(8).max(2000).describe('https:// (http:// to private addresses only when WEBHOOK_ALLOW_PRIVATE=true)'),
  types: z
    .array(z.enum(EVENT_TYPES))
    .max(EVENT_TYPES.length)
    .default([])
    .refine((t) => new Set(t).size === t.length, 'types must not repeat')
    .describe('the event types to deliver; empty or absent: every type you may see'),
  description: z.string().trim().max(500).optional(),
});

export const webhookView = z
  .object({
    id: z.string(),
    url: z.string(),
    types: z.array(z.string()),
    description: z.string().nullable(),
    ownerId: z.string(),
    scope: z.enum(['all', 'own_orders']).describe("an integrator's subscription carries only its own orders' events"),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'Webhook' });

export const createdWebhook = webhookView
  .extend({ secret: z.string().describe('whsec_…: verify deliveries with it; shown only in this answer') })
  .meta({ id: 'CreatedWebhook' });

export const webhookList = z.object({ items: z.array(webhookView) });
export const webhookParams = z.object({ webhookId });
export const redeliverParams = z.object({ webhookId, eventId: z.string().min(1).max(100) });

export const deliveriesQuery = z.object({ ...pageQuery, eventId: z.string().min(1).max(100).optional() });
export const deliveryView = z.object({
  eventId: z.string(),
  attempt: z.number().int(),
  at: isoTimestamp,
  status: z.enum(['delivered', 'failed', 'gave_up', 'refused']).describe('gave_up: retried for the whole retry period, marked failed'),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  lagMs: z.number().int().nullable().describe('from the event to this answer'),
});
export const deliveryList = z.object({ items: z.array(deliveryView), nextCursor });
export const redeliveryAccepted = z.object({ eventId: z.string(), queued: z.literal(true) });
