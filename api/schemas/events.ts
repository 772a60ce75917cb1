import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/events';
import { STEP_IDS } from '../../domain/types';
import { id, isoTimestamp } from './common';

/** One event of the log (contract section 7). */
export const eventView = z
  .object({
    id: z.string().describe('globally unique and stable; the `webhook-id` of its deliveries'),
    seq: z.number().int().describe('increases strictly per order (per material for material events)'),
    type: z.enum(EVENT_TYPES),
    at: isoTimestamp,
    orderId: z.string().nullable(),
    revision: z.number().int().nullable(),
    step: z.enum(STEP_IDS).nullable(),
    actor: z.string().describe('the principal, or "system"'),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });

const eventTypeList = z
  .string()
  .max(2000)
  .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
  .pipe(z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length));

export const eventsQuery = z.object({
  after: z.string().min(1).max(512).optional().describe('the nextCursor of a previous answer: events after it, oldest first'),
  types: eventTypeList.optional().describe('comma-separated event types, e.g. order.approved,order.rejected'),
  orderId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const eventPage = z.object({
  items: z.array(eventView),
  nextCursor: z
    .string()
    .nullable()
    .describe('pass as `after` to read on; returned on the last page too (the log grows), null only when the log is empty for you'),
  hasMore: z.boolean().describe('true when more events matched than this page holds'),
});
