import { z } from 'zod';
import { isIsoDate } from '../../domain/dates';
import { parseMoney } from '../../domain/money';
import { CHANNELS, DECISIONS, DEFAULTABLE_ORDER_FIELDS, DEPARTMENTS, ORDER_STATUSES, PRIORITIES, REVIEW_STEP_IDS, STEP_IDS, STEP_STATUSES } from '../../domain/types';
import { currency, id, isoTimestamp, money, multiLine, nextCursor, outputFormat, pageQuery, paymentTerms, periodBound, shipTo, shipToView, singleLine } from './common';
import { checkEvidence } from './evidence';
import { fulfilmentView } from './fulfilment';

const line = z.strictObject({
  sku: id,
  quantity: z.number().int('must be a whole number').positive('must be a positive whole number').max(10_000_000),
  unitPrice: money,
});

const fromCustomer = "when left out, the customer's default (listed in the order's filledFromCustomer); 422 if it has none";

const orderFields = {
  customerId: id,
  channel: z.enum(CHANNELS),
  currency: currency.optional().describe(fromCustomer),
  requestedDeliveryDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
    .refine(isIsoDate, 'must be a real calendar date'),
  paymentTerms: paymentTerms.optional().describe(fromCustomer),
  shipTo: shipTo.optional().describe("where to deliver; when left out, the customer's default if it has one"),
  priority: z.enum(PRIORITIES).optional().describe('default normal'),
  lines: z.array(line).min(1).max(200),
  declaredTotal: money.optional(),
  specialRequirements: z.array(multiLine(1000)).max(50).optional(),
  notes: multiLine(5000).optional(),
};

/** The computed total must stay an exact integer in minor units. */
function totalFits(body: { lines?: { quantity: number; unitPrice: string }[] }, ctx: z.RefinementCtx): void {
  let total = 0;
  for (const l of body.lines ?? []) {
    try {
      total += l.quantity * parseMoney(l.unitPrice);
    } catch {
      return; // the line itself is reported invalid
    }
  }
  if (!Number.isSafeInteger(total)) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'the order total is too large' });
}

/** A clean order against the demo data (C-1001, BOX-E-001): the docs show it, and fuzzers start from it. */
const submitExample = {
  customerId: 'C-1001',
  channel: 'web',
  currency: 'CNY',
  requestedDeliveryDate: '2027-06-30',
  paymentTerms: 'NET30',
  priority: 'normal',
  lines: [{ sku: 'BOX-E-001', quantity: 10, unitPrice: '12.50' }],
  declaredTotal: '125.00',
};

export const submitOrderBody = z
  .strictObject({
    orderId: id.optional().describe('idempotency key; generated (ORD-…) when absent'),
    ...orderFields,
    lines: orderFields.lines.optional().describe('required, unless repeatOf names the order whose lines to copy'),
    repeatOf: id
      .optional()
      .describe(
        'a repeat order: copies the lines of this earlier order (same customer, submitted by you) at today\'s list prices; ' +
          'give a new requestedDeliveryDate and leave lines and declaredTotal out',
      ),
  })
  .superRefine((body, ctx) => {
    if (body.repeatOf === undefined) {
      if (body.lines === undefined) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'required (or repeatOf an earlier order)' });
    } else {
      const copied = 'is copied from the repeated order; leave it out';
      if (body.lines !== undefined) ctx.addIssue({ code: 'custom', path: ['lines'], message: `${copied} (or drop repeatOf)` });
      if (body.declaredTotal !== undefined) ctx.addIssue({ code: 'custom', path: ['declaredTotal'], message: copied });
    }
    totalFits(body, ctx);
  })
  .meta({ examples: [submitExample] });

/** An amendment is the submit body without orderId (the path names the order). */
export const amendOrderBody = z.strictObject(orderFields).superRefine(totalFits);

export const orderParams = z.object({ orderId: id });

const finding = z.object({ code: z.string(), message: z.string() });
const decision = z.object({
  decision: z.enum(DECISIONS),
  by: z.string(),
  at: isoTimestamp,
  comment: z.string().nullable(),
  onBehalfOf: z.string().optional().describe("the principal whose delegate decided (by)"),
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
  claimedBy: z.string().nullable().optional(),
  claimedAt: isoTimestamp.nullable().optional(),
  keptFromRevision: z.number().int().nullable().optional().describe('an amendment kept this result: the revision it was decided in'),
  evidence: checkEvidence.nullable().optional(),
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
  shipTo: shipToView.optional(),
  filledFromCustomer: z
    .array(z.enum(DEFAULTABLE_ORDER_FIELDS))
    .optional()
    .describe("the fields the order left out and intake filled from the customer's defaults"),
  repeatOf: z.string().optional().describe('the earlier order whose lines this one repeats'),
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

/** The most rows one page of the order list holds: as JSON, and as a CSV export. */
export const ORDER_PAGE_MAX = { json: 200, csv: 5000 } as const;

export const orderListQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  customerId: id.optional(),
  awaiting: z
    .enum([...REVIEW_STEP_IDS, ...DEPARTMENTS])
    .optional()
    .describe('orders with this step, or a step of this department, awaiting a decision now'),
  priority: z.enum(PRIORITIES).optional(),
  channel: z.enum(CHANNELS).optional(),
  escalated: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: orders with an escalated step awaiting a decision; false: orders without one'),
  submittedFrom: periodBound.optional().describe('submitted at or after (a date: its first instant, in the policy calendar zone or UTC)'),
  submittedTo: periodBound.optional().describe('submitted before (a date: that whole day included)'),
  minTotal: money.optional().describe('order total at least this'),
  maxTotal: money.optional().describe('order total at most this'),
  format: outputFormat,
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(ORDER_PAGE_MAX.csv)
    .default(50)
    .describe(`rows per page: at most ${ORDER_PAGE_MAX.json} as JSON, ${ORDER_PAGE_MAX.csv} as CSV`),
  cursor: pageQuery.cursor,
});

export const orderSummary = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATUSES),
  revision: z.number().int(),
  priority: z.enum(PRIORITIES),
  customerId: z.string(),
  channel: z.enum(CHANNELS),
  total: money,
  awaiting: z.array(z.enum(STEP_IDS)),
  escalated: z.boolean().describe('a step awaiting a decision is escalated'),
  submittedAt: isoTimestamp,
  updatedAt: isoTimestamp,
  completedAt: isoTimestamp.nullable(),
});
export const orderList = z.object({ items: z.array(orderSummary), nextCursor });
/** The CSV columns of the order list: the summary's fields (awaiting steps separated by spaces). */
export const ORDER_CSV_COLUMNS = Object.keys(orderSummary.shape) as (keyof z.infer<typeof orderSummary>)[];

export const inboxQuery = z.object({ ...pageQuery });
export const inboxItem = z.object({
  orderId: z.string(),
  step: z.enum(STEP_IDS),
  department: z.string(),
  customerId: z.string(),
  customerName: z.string().nullable(),
  total: money,
  currency: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  dueAt: isoTimestamp,
  waitingSince: isoTimestamp,
  escalated: z.boolean(),
  claimedBy: z.string().nullable().describe('who claimed the step; others cannot decide it meanwhile'),
  findings: z.array(finding).describe('why the step waits'),
  priorityReasons: z.array(z.string()).describe('why it ranks where it does: urgency, escalation, tier, value, due time'),
});
export const inboxList = z.object({ items: z.array(inboxItem), nextCursor });

export const decisionParams = z.object({ orderId: id, step: z.enum(STEP_IDS) });
export const decisionBody = z
  .strictObject({
    decision: z.enum(DECISIONS),
    comment: multiLine(2000).nullable().optional().describe('required for reject and request_changes'),
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

export const cancelBody = z.strictObject({ reason: multiLine(2000).trim().min(1) });
