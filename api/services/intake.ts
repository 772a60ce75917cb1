/**
 * Order intake: decides idempotency by one orders row per orderId, then starts the order's workflow.
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
import { customers, orders, products } from '../../db/schema';
import { normaliseOrder } from '../../domain/order';
import type { NormalisedOrder, ResolvedPolicy } from '../../domain/types';
import { type OrderReviewInput, WORKFLOW_TYPE, workflowIdFor } from '../../workflows/messages';
import { initialOrderState } from '../../workflows/state';
import { type FieldError, problems } from '../problem';
import type { amendOrderBody, submitOrderBody } from '../schemas/orders';
import { type OrderView, stateOf } from './orders';

export interface IntakeDeps {
  db: Db;
  temporal: Client;
  config: Pick<AppConfig, 'taskQueue'>;
  policy: ResolvedPolicy;
  log: FastifyBaseLogger;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type OrderRow = typeof orders.$inferSelect;
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

/** The hash of the normalised order: "12.5" and "12.50", or a missing and a "normal" priority, are the same body. */
export function orderHash(order: NormalisedOrder): string {
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

export function assertKnownReferences(db: Db, order: { customerId: string; lines: { sku: string }[] }): void {
  const errors = unknownReferences(db, order);
  if (errors.length > 0) throw problems.unprocessable('the order names master data that does not exist', errors);
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
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  deps.db.update(orders).set({ workflowStarted: true }).where(eq(orders.orderId, orderId)).run();
}

/** Starts the review of a row whose start is not confirmed; a failure is a 503 (the sweeper keeps trying). */
export async function ensureReviewStarted(deps: IntakeDeps, row: Pick<OrderRow, 'orderId' | 'workflowStarted' | 'workflowInput'>): Promise<void> {
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
  state: OrderView;
}

export async function submitOrder(deps: IntakeDeps, principal: Principal, body: SubmitBody): Promise<SubmitResult> {
  const orderId = body.orderId ?? generateOrderId();
  const order = normaliseOrder(body, orderId);
  const bodyHash = orderHash(order);

  const { created, row } = writeTx(deps.db, (tx) => {
    const existing = tx.select().from(orders).where(eq(orders.orderId, orderId)).get();
    if (existing) {
      // Another integrator's order: say only that the id is taken, never what it holds.
      if (existing.submittedBy !== principal.id) throw problems.conflict(`orderId ${orderId} is already in use`);
      if (existing.bodyHash !== bodyHash) {
        throw problems.conflict(`order ${orderId} was already submitted with a different body; amend it or use a new orderId`);
      }
      return { created: false, row: existing };
    }
    const errors = unknownReferences(tx, order);
    if (errors.length > 0) throw problems.unprocessable('the order names master data that does not exist', errors);

    const submittedAt = new Date().toISOString();
    const input: OrderReviewInput = { order, submittedBy: principal.id, submittedAt, policy: deps.policy };
    const state = initialOrderState(input);
    const inserted = tx
      .insert(orders)
      .values({
        orderId,
        workflowId: workflowIdFor(orderId),
        bodyHash,
        submittedBy: principal.id,
        customerId: order.customerId,
        status: state.status,
        revision: state.revision,
        priority: order.priority,
        totalMinor: order.totalMinor,
        submittedAt,
        updatedAt: submittedAt,
        completedAt: null,
        state: state as unknown as Record<string, unknown>,
        version: state.version,
        workflowInput: input as unknown as Record<string, unknown>,
        workflowStarted: false,
      })
      .returning()
      .get();
    return { created: true, row: inserted };
  });

  await ensureReviewStarted(deps, row);
  // A replay of an old submission shows the order as it is now (the workflow may have moved it on).
  const current = created ? row : (deps.db.select().from(orders).where(eq(orders.orderId, orderId)).get() ?? row);
  return { created, state: stateOf(current) };
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
      .select({ orderId: orders.orderId, workflowStarted: orders.workflowStarted, workflowInput: orders.workflowInput })
      .from(orders)
      .where(and(eq(orders.workflowStarted, false), lt(orders.submittedAt, cutoff)))
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
