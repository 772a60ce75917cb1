/**
 * Order intake: decides idempotency by one order_intake row per orderId, then starts the order's workflow.
 *
 * The row is written first, in one synchronous SQLite transaction (an async callback would not roll back), and
 * the workflow is started after it commits. A crash between the two leaves a row with workflowStarted = false;
 * a retry of the same request or the sweeper below starts it, with the input stored on the row, so every
 * accepted order gets exactly one review. Temporal's "already started" answer counts as success.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { AppConfig } from '../../config';
import { type Db, writeTx } from '../../db/client';
import type { Principal } from '../../db/principals';
import { customers, orderIntake, products } from '../../db/schema';
import { completeOrder, normaliseRequest, type OrderRequest } from '../../domain/order';
import type { NormalisedOrder, OrderLine, ResolvedPolicy } from '../../domain/types';
import { type OrderReviewInput, type OrderState, WORKFLOW_TYPE, workflowIdFor } from '../../workflows/messages';
import { ORDER_SEARCH_ATTRIBUTES, OrderCustomerId, OrderStatus } from '../../workflows/search-attributes';
import { initialOrderState } from '../../workflows/state';
import { findOrder, readModelState } from './orders';
import { type FieldError, problems } from '../problem';
import type { amendOrderBody, submitOrderBody } from '../schemas/orders';

export interface IntakeDeps {
  db: Db;
  temporal: Client;
  config: Pick<AppConfig, 'taskQueue'>;
  policy: ResolvedPolicy;
  log: FastifyBaseLogger;
  /** The namespace has the product's search attributes (checked at start): new orders keep them up to date. */
  searchAttributes?: boolean;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type IntakeRow = typeof orderIntake.$inferSelect;
export type SubmitBody = z.output<typeof submitOrderBody>;
export type AmendBody = z.output<typeof amendOrderBody>;

const START_DEADLINE_MS = 10_000;

export function generateOrderId(): string {
  return `ORD-${randomBytes(8).toString('hex').toUpperCase()}`;
}

/** JSON with object keys sorted at every level: equal values always give equal strings. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash of the normalised request: "12.5" and "12.50", or a missing and a "normal" priority, are the same body.
 * Taken over what the caller sent, before master data filled anything in, so a retry still matches after the
 * customer's defaults or the list prices changed. A request that gives every field normalises to exactly what the
 * whole order always did, so orders submitted before defaults and repeats existed keep their hash.
 */
export function orderHash(order: OrderRequest | NormalisedOrder): string {
  return createHash('sha256').update(canonicalJson(order)).digest('hex');
}

/** The customer and SKUs the order names that master data does not know, as field errors (422). */
export function unknownReferences(tx: Pick<Db, 'select'> | Tx, order: { customerId: string; lines: { sku: string }[] }): FieldError[] {
  const errors: FieldError[] = [];
  const customer = tx.select({ id: customers.id }).from(customers).where(eq(customers.id, order.customerId)).get();
  if (!customer) errors.push({ path: 'customerId', message: `unknown customer ${order.customerId}` });
  const skus = [...new Set(order.lines.map((l) => l.sku))];
  const known = new Set(
    tx.select({ sku: products.sku }).from(products).where(inArray(products.sku, skus)).all().map((r) => r.sku),
  );
  order.lines.forEach((l, i) => {
    if (!known.has(l.sku)) errors.push({ path: `lines.${i}.sku`, message: `unknown product ${l.sku}` });
  });
  return errors;
}

/**
 * The lines of the earlier order a repeat names, priced at today's list prices. 422 on `repeatOf` when there is no
 * such order of the caller's (another integrator's order answers exactly like a missing one, so it stays invisible),
 * when it is another customer's, or when it names a SKU no longer sold.
 */
function repeatedLines(db: Db, principal: Principal, req: OrderRequest, repeatOf: string): OrderLine[] {
  const earlier = findOrder(db, repeatOf);
  if (!earlier || earlier.submittedBy !== principal.id) {
    throw problems.unprocessable('the order to repeat does not exist', [{ path: 'repeatOf', message: `no order ${repeatOf} submitted by you` }], {
      type: 'invalid-repeat',
    });
  }
  const { customerId, lines } = earlier.state.order;
  if (customerId !== req.customerId) {
    throw problems.unprocessable(
      'a repeat order repeats an order of the same customer',
      [{ path: 'repeatOf', message: `order ${repeatOf} is for customer ${customerId}, not ${req.customerId}` }],
      { type: 'invalid-repeat' },
    );
  }
  const skus = [...new Set(lines.map((l) => l.sku))];
  const prices = new Map(
    db.select({ sku: products.sku, price: products.unitPriceMinor }).from(products).where(inArray(products.sku, skus)).all().map((p) => [p.sku, p.price]),
  );
  const gone = lines.flatMap((l, i) => (prices.has(l.sku) ? [] : [{ path: 'repeatOf', message: `SKU ${l.sku} (line ${i + 1} of order ${repeatOf}) is no longer in the product catalogue` }]));
  if (gone.length > 0) throw problems.unprocessable('the repeated order names products that no longer exist', gone);
  return lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPriceMinor: prices.get(l.sku)! }));
}

/**
 * The whole order from a request: paymentTerms, currency and shipTo it left out come from the customer's defaults, a
 * repeat's lines from the earlier order. 422 naming each field neither gives, and for unknown customers or SKUs.
 */
export function resolveOrder(db: Db, principal: Principal, req: OrderRequest): NormalisedOrder {
  const customer = db.select({ defaults: customers.defaults }).from(customers).where(eq(customers.id, req.customerId)).get();
  if (!customer) {
    throw problems.unprocessable('the order names master data that does not exist', unknownReferences(db, { customerId: req.customerId, lines: req.lines ?? [] }));
  }
  const lines = req.repeatOf !== undefined && req.lines === undefined ? repeatedLines(db, principal, req, req.repeatOf) : undefined;
  const done = completeOrder(req, { defaults: customer.defaults ?? null, repeatedLines: lines });
  if (!done.ok) {
    throw problems.unprocessable(
      `the order leaves out ${done.missing.join(' and ')}, and customer ${req.customerId} has no default for ${done.missing.length === 1 ? 'it' : 'them'}`,
      done.missing.map((field) => ({ path: field, message: `required: customer ${req.customerId} has no default ${field}` })),
      { type: 'missing-default' },
    );
  }
  const errors = unknownReferences(db, done.order);
  if (errors.length > 0) throw problems.unprocessable('the order names master data that does not exist', errors);
  return done.order;
}

/** Starts the order's workflow (once; an existing execution counts as started) and marks the row. */
export async function startReview(deps: IntakeDeps, orderId: string, input: OrderReviewInput): Promise<void> {
  try {
    await deps.temporal.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      deps.temporal.workflow.start(WORKFLOW_TYPE, {
        workflowId: workflowIdFor(orderId),
        taskQueue: deps.config.taskQueue,
        args: [input],
        // One review per orderId, ever: a closed execution with this id means the review already happened.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // Findable from the first moment; the workflow keeps the attributes up to date (workflows/search-index.ts).
        ...(input.searchAttributes
          ? {
              typedSearchAttributes: [
                { key: OrderStatus, value: 'in_review' },
                { key: OrderCustomerId, value: input.order.customerId },
              ],
            }
          : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  deps.db.update(orderIntake).set({ workflowStarted: true }).where(eq(orderIntake.orderId, orderId)).run();
}

/** Starts the review of a row whose start is not confirmed; a failure is a 503 (the sweeper keeps trying). */
export async function ensureReviewStarted(deps: IntakeDeps, row: Pick<IntakeRow, 'orderId' | 'workflowStarted' | 'workflowInput'>): Promise<void> {
  if (row.workflowStarted) return;
  try {
    await startReview(deps, row.orderId, row.workflowInput as unknown as OrderReviewInput);
  } catch (err) {
    deps.log.error({ err, orderId: row.orderId }, 'could not start the order review');
    throw problems.unavailable(
      `order ${row.orderId} is recorded but its review could not be started yet; it starts automatically, and retrying the same request is safe`,
    );
  }
}

export interface SubmitResult {
  created: boolean;
  state: OrderState;
}

export async function submitOrder(deps: IntakeDeps, principal: Principal, body: SubmitBody): Promise<SubmitResult> {
  const orderId = body.orderId ?? generateOrderId();
  const request = normaliseRequest(body, orderId);
  const bodyHash = orderHash(request);

  const { created, row, input } = writeTx(deps.db, (tx) => {
    const existing = tx.select().from(orderIntake).where(eq(orderIntake.orderId, orderId)).get();
    if (existing) {
      // Another integrator's order: say only that the id is taken, never what it holds.
      if (existing.submittedBy !== principal.id) throw problems.conflict(`orderId ${orderId} is already in use`);
      if (existing.bodyHash !== bodyHash) {
        throw problems.conflict(`order ${orderId} was already submitted with a different body; amend it or use a new orderId`);
      }
      return { created: false, row: existing, input: existing.workflowInput as unknown as OrderReviewInput };
    }
    // Inside the transaction: the defaults and list prices the order is completed from are the ones it commits with.
    const order = resolveOrder(deps.db, principal, request);

    const submittedAt = new Date().toISOString();
    const input: OrderReviewInput = {
      order,
      submittedBy: principal.id,
      submittedAt,
      policy: deps.policy,
      ...(deps.searchAttributes ? { searchAttributes: true } : {}),
    };
    const inserted = tx
      .insert(orderIntake)
      .values({
        orderId,
        workflowId: workflowIdFor(orderId),
        bodyHash,
        submittedBy: principal.id,
        customerId: order.customerId,
        totalMinor: order.totalMinor,
        submittedAt,
        workflowInput: input as unknown as Record<string, unknown>,
        workflowStarted: false,
      })
      .returning()
      .get();
    return { created: true, row: inserted, input };
  });

  await ensureReviewStarted(deps, row);
  // A new order shows as submitted; a replay of an old submission shows the order as it is now (the workflow may
  // have moved it on and written its read model).
  const current = created ? undefined : readModelState(deps.db, orderId);
  return { created, state: current ?? initialOrderState(input) };
}

/**
 * Starts reviews a crash left behind (rows older than `graceMs` whose start was never confirmed). Runs on an
 * unref'd interval so it never keeps the process alive; `stop()` waits for a sweep in progress.
 */
export function startIntakeSweeper(deps: IntakeDeps, opts: { intervalMs?: number; graceMs?: number } = {}): { stop(): Promise<void> } {
  const graceMs = opts.graceMs ?? 5_000;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const sweep = async (): Promise<void> => {
    const cutoff = new Date(Date.now() - graceMs).toISOString();
    const rows = deps.db
      .select({ orderId: orderIntake.orderId, workflowStarted: orderIntake.workflowStarted, workflowInput: orderIntake.workflowInput })
      .from(orderIntake)
      .where(and(eq(orderIntake.workflowStarted, false), lt(orderIntake.submittedAt, cutoff)))
      .limit(50)
      .all();
    for (const row of rows) {
      if (stopped) return;
      try {
        await startReview(deps, row.orderId, row.workflowInput as unknown as OrderReviewInput);
        deps.log.info({ orderId: row.orderId }, 'started an order review left behind');
      } catch (err) {
        deps.log.warn({ err, orderId: row.orderId }, 'sweeper could not start the order review; will retry');
      }
    }
  };

  const timer = setInterval(() => {
    if (inFlight || stopped) return;
    inFlight = sweep()
      .catch((err: unknown) => deps.log.error({ err }, 'intake sweep failed'))
      .finally(() => {
        inFlight = undefined;
      });
  }, opts.intervalMs ?? 2_000);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}

/**
 * Whether the namespace has every search attribute the workflow upserts. An upsert of an unregistered attribute
 * fails the workflow task (and every retry of it), so new orders use them only when this says yes.
 */
export async function searchAttributesRegistered(temporal: Client, namespace: string): Promise<boolean> {
  const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({ namespace });
  const registered = new Set(Object.keys(customAttributes ?? {}));
  return ORDER_SEARCH_ATTRIBUTES.every((a) => registered.has(a.name));
}
