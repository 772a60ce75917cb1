import { z } from 'zod';
import { isIsoDate } from '../../domain/dates';
import { parseMoney } from '../../domain/money';
import { CHANNELS, DECISIONS, ORDER_STATUSES, PRIORITIES, STEP_IDS, STEP_STATUSES } from '../../domain/types';
import { id, isoTimestamp, money, nextCursor, pageQuery } from './common';
import { fulfilmentView } from './fulfilment';

const line = z.strictObject({
  sku: id,
  quantity: z.number().int('must be a whole number').positive('must be a positive whole number').max(10_000_000),
  unitPrice: money,
});

const orderFields = {
  customerId: id,
  channel: z.enum(CHANNELS),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 currency code, e.g. "CNY"'),
  requestedDeliveryDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .refine(isIsoDate, 'must be a real calendar date'),
  paymentTerms: z.string().trim().min(1).max(32),
  priority: z.enum(PRIORITIES).optional().describe('default normal'),
  lines: z.array(line).min(1).max(200),
  declaredTotal: money.optional(),
  specialRequirements: z.array(z.string().max(1000)).max(50).optional(),
  notes: z.string().max(5000).optional(),
};

/** The computed total must stay an exact integer in minor units. */
function totalFits(body: { lines: { quantity: number; unitPrice: string }[] }, ctx: z.RefinementCtx): void {
  let total = 0;
  for (const l of body.lines) {
    try {
      total += l.quantity * parseMoney(l.unitPrice);
    } catch {
      return; // the line itself is reported invalid
    }
  }
  if (!Number.isSafeInteger(total)) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'the order total is too large' });
}

export const submitOrderBody = z
  .strictObject({
    orderId: id.optional().describe('idempotency key; generated (ORD-…) when absent'),
    ...orderFields,
  })
  .superRefine(totalFits);

/** An amendment is the submit body without orderId (the path names the order). */
export const amendOrderBody = z.strictObject(orderFields).superRefine(totalFits);

export const orderParams = z.object({ orderId: id });

const finding = z.object({ code: z.string(), message: z.string() });
const decision = z.object({
  decision: z.enum(DECISIONS),
  by: z.string(),
  at: isoTimestamp,
  comment: z.string().nullable(),
});
const stepView = z.object({
  step: z.enum(STEP_IDS),
  department: z.string(),
  status: z.enum(STEP_STATUSES),
  findings: z.array(finding),
  dueAt: isoTimestamp.nullable(),
  waitingSince: isoTimestamp.nullable(),
  escalated: z.boolean(),
  decision: decision.nullable(),
});
const publicOrder = z.object({
  orderId: z.string(),
  customerId: z.string(),
  channel: z.enum(CHANNELS),
  currency: z.string(),
  requestedDeliveryDate: z.string(),
  paymentTerms: z.string(),
  priority: z.enum(PRIORITIES),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPrice: money, lineTotal: money })),
  declaredTotal: money.nullable(),
  total: money,
  specialRequirements: z.array(z.string()),
  notes: z.string().nullable(),
});

/** The order as GET /v1/orders/{orderId} shows it (the workflow's state without internal fields). */
export const orderView = z
  .object({
    orderId: z.string(),
    status: z.enum(ORDER_STATUSES),
    revision: z.number().int(),
    priority: z.enum(PRIORITIES),
    customerId: z.string(),
    submittedBy: z.string(),
    submittedAt: isoTimestamp,
    updatedAt: isoTimestamp,
    completedAt: isoTimestamp.nullable(),
    order: publicOrder,
    risk: z.object({ score: z.number(), reasons: z.array(z.string()) }).nullable(),
    steps: z.array(stepView),
    stages: z
      .array(z.array(z.enum(STEP_IDS)))
      .describe("the order's review plan: intake, then the stages of the policy it captured; the steps of one stage run side by side"),
    awaiting: z.array(z.enum(STEP_IDS)),
    outcome: z
      .object({ status: z.enum(ORDER_STATUSES), step: z.enum(STEP_IDS).nullable(), reason: z.string(), at: isoTimestamp })
      .nullable(),
    fulfilment: fulfilmentView.nullable().describe('after approval: what the ERP reported (section 9); null before'),
    plannedCompletionDate: z
      .string()
      .nullable()
      .describe("the capacity check's earliest day by which the order's hours fit (its last booked day); null when nothing is booked"),
  })
  .meta({ id: 'Order' });

export const orderListQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  customerId: id.optional(),
  ...pageQuery,
});

export const orderSummary = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATUSES),
  revision: z.number().int(),
  priority: z.enum(PRIORITIES),
  customerId: z.string(),
  total: money,
  awaiting: z.array(z.enum(STEP_IDS)),
  submittedAt: isoTimestamp,
  updatedAt: isoTimestamp,
  completedAt: isoTimestamp.nullable(),
});
export const orderList = z.object({ items: z.array(orderSummary), nextCursor });

export const inboxQuery = z.object({ ...pageQuery });
export const inboxItem = z.object({
  orderId: z.string(),
  step: z.enum(STEP_IDS),
  department: z.string(),
  customerId: z.string(),
  total: money,
  priority: z.enum(PRIORITIES),
  dueAt: isoTimestamp,
  waitingSince: isoTimestamp,
  escalated: z.boolean(),
});
export const inboxList = z.object({ items: z.array(inboxItem), nextCursor });

export const decisionParams = z.object({ orderId: id, step: z.enum(STEP_IDS) });
export const decisionBody = z
  .strictObject({
    decision: z.enum(DECISIONS),
    comment: z.string().max(2000).nullable().optional().describe('required for reject and request_changes'),
  })
  .superRefine((b, ctx) => {
    if (b.decision !== 'approve' && !b.comment?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: `a comment is required to ${b.decision}` });
    }
  });

/** `Idempotency-Key` makes a retried decision (or amendment) safe. Loose: the other headers stay untouched. */
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 visible ASCII characters')
    .optional()
    .describe('the same key on the same step answers with the first result and never decides twice'),
});

export const cancelBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
