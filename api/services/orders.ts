/**
 * Reads of an order (its read model, written by the workflow through activities, or before the workflow wrote one,
 * its intake record) and of the inbox.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { type Db, prepared, writeTx } from '../../db/client';
import { appendEvents, orderEventsOf, orderStream } from '../../db/events';
import type { Principal } from '../../db/principals';
import { inboxItems, orderIntake, orders } from '../../db/schema';
import { type Channel, type DecisionKind, type Department, DEPARTMENTS, type Priority } from '../../domain/types';
import { dueReason } from '../../domain/priority';
import { formatMoney } from '../../domain/money';
import type { OrderStatus, StepId } from '../../domain/types';
import type { OrderReviewInput, OrderState } from '../../workflows/messages';
import { initialOrderState, reviewPlan } from '../../workflows/state';
import { decodeCursor, page } from '../pagination';
import { problems } from '../problem';
import { seesAllOrders } from '../roles';
import type { IntakeRow } from './intake';

/** An order as the API reasons about it: who submitted it, where it stands, and its intake record. */
export interface OrderRecord {
  orderId: string;
  submittedBy: string;
  status: OrderStatus;
  state: OrderState;
  /** Absent for a workflow started without the API (tests, tooling). */
  intake: IntakeRow | undefined;
}

function readModelRow(db: Db, orderId: string) {
  const byId = prepared(db, 'orderById', () => db.select().from(orders).where(eq(orders.orderId, sql.placeholder('id'))).prepare());
  return byId.get({ id: orderId });
}

function intakeRow(db: Db, orderId: string): IntakeRow | undefined {
  const byId = prepared(db, 'intakeById', () =>
    db.select().from(orderIntake).where(eq(orderIntake.orderId, sql.placeholder('id'))).prepare(),
  );
  return byId.get({ id: orderId });
}

/**
 * A read model written before the view carried its plan gets it here: from the policy its intake captured, else
 * (a review started outside the API) one stage per step.
 */
function withPlan(state: OrderState, intake: IntakeRow | undefined): OrderState {
  if (state.stages) return state;
  const policy = (intake?.workflowInput as Partial<OrderReviewInput> | undefined)?.policy;
  const stages = policy ? reviewPlan(policy) : state.steps.map((s) => [s.step]);
  return { ...state, stages };
}

/** The state the workflow last wrote, if it wrote one yet. */
export function readModelState(db: Db, orderId: string): OrderState | undefined {
  return readModelRow(db, orderId)?.state as unknown as OrderState | undefined;
}

export function findOrder(db: Db, orderId: string): OrderRecord | undefined {
  const rm = readModelRow(db, orderId);
  if (rm) {
    // The intake row (its workflow input is the largest JSON of an order) is read only when something asks for it:
    // a GET of an order whose read model carries its plan never does.
    let intake: IntakeRow | undefined | null = null;
    const intakeOnce = () => (intake === null ? (intake = intakeRow(db, orderId)) : intake);
    const state = rm.state as unknown as OrderState;
    return {
      orderId,
      submittedBy: rm.submittedBy,
      status: rm.status as OrderStatus,
      state: state.stages ? state : withPlan(state, intakeOnce()),
      get intake() {
        return intakeOnce();
      },
    };
  }
  const intake = intakeRow(db, orderId);
  if (!intake) return undefined;
  // Accepted, but its workflow has not written the read model yet: it shows as just submitted.
  const state = initialOrderState(intake.workflowInput as unknown as OrderReviewInput);
  return { orderId, submittedBy: intake.submittedBy, status: state.status, state, intake };
}

/**
 * The order if the principal may see it. An integrator gets 404 (not 403) for another's order: whether an
 * order id exists is itself information a partner channel must not learn.
 */
export function visibleOrder(db: Db, principal: Principal, orderId: string): OrderRecord {
  const row = findOrder(db, orderId);
  if (!row || (!seesAllOrders(principal) && row.submittedBy !== principal.id)) {
    throw problems.notFound(`order ${orderId} not found`);
  }
  return row;
}

export function stateOf(row: OrderRecord): OrderState {
  return row.state;
}

/** The filters of the order list (contract section 11); dates are already resolved to instants. */
export interface OrderFilters {
  status?: OrderStatus;
  customerId?: string;
  /** A step, or a department: orders with it (one of its steps) awaiting a decision now. */
  awaiting?: StepId | Department;
  priority?: Priority;
  channel?: Channel;
  escalated?: boolean;
  /** ISO instants: submitted in [submittedFrom, submittedTo). */
  submittedFrom?: string;
  submittedTo?: string;
  minTotalMinor?: number;
  maxTotalMinor?: number;
}

/** One row of the order list. */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  revision: number;
  priority: Priority;
  customerId: string;
  channel: Channel;
  total: string;
  awaiting: StepId[];
  escalated: boolean;
  submittedAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/**
 * Orders the principal may see that match every filter, newest first, keyset-paged on (submittedAt, orderId).
 * Integrators see their own orders only; everyone else who may list sees all (as for reads of one order).
 * Each filter has an index that serves it in list order (db/schema.ts), so a page stays cheap at 100,000 orders;
 * `awaiting` reads the inbox, which holds exactly the steps waiting now.
 */
export function listOrders(db: Db, principal: Principal, q: OrderFilters & { limit: number; cursor?: string }): { items: OrderSummary[]; nextCursor: string | null } {
  const where: (SQL | undefined)[] = [];
  if (!seesAllOrders(principal)) where.push(eq(orders.submittedBy, principal.id));
  if (q.status) where.push(eq(orders.status, q.status));
  if (q.customerId) where.push(eq(orders.customerId, q.customerId));
  if (q.priority) where.push(eq(orders.priority, q.priority));
  if (q.channel) where.push(eq(orders.channel, q.channel));
  // Literal 1/0, not a bound parameter: only then may SQLite use the partial index on escalated orders.
  if (q.escalated !== undefined) where.push(q.escalated ? sql`${orders.escalated} = 1` : sql`${orders.escalated} = 0`);
  if (q.submittedFrom) where.push(gte(orders.submittedAt, q.submittedFrom));
  if (q.submittedTo) where.push(lt(orders.submittedAt, q.submittedTo));
  if (q.minTotalMinor !== undefined) where.push(gte(orders.totalMinor, q.minTotalMinor));
  if (q.maxTotalMinor !== undefined) where.push(lte(orders.totalMinor, q.maxTotalMinor));
  if (q.awaiting) {
    const column = (DEPARTMENTS as readonly string[]).includes(q.awaiting) ? inboxItems.department : inboxItems.step;
    where.push(inArray(orders.orderId, db.select({ id: inboxItems.orderId }).from(inboxItems).where(eq(column, q.awaiting))));
  }
  if (q.cursor) {
    const [submittedAt, orderId] = decodeCursor(q.cursor, 2);
    where.push(sql`(${orders.submittedAt}, ${orders.orderId}) < (${submittedAt}, ${orderId})`);
  }
  const rows = db
    .select({
      orderId: orders.orderId,
      status: orders.status,
      revision: orders.revision,
      priority: orders.priority,
      customerId: orders.customerId,
      channel: orders.channel,
      totalMinor: orders.totalMinor,
      escalated: orders.escalated,
      awaiting: sql<string | null>`json_extract(${orders.state}, '$.awaiting')`,
      submittedAt: orders.submittedAt,
      updatedAt: orders.updatedAt,
      completedAt: orders.completedAt,
    })
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.submittedAt), desc(orders.orderId))
    .limit(q.limit + 1)
    .all();
  const p = page(rows, q.limit, (r) => [r.submittedAt, r.orderId]);
  return {
    items: p.rows.map((r) => ({
      orderId: r.orderId,
      status: r.status as OrderStatus,
      revision: r.revision,
      priority: r.priority as Priority,
      customerId: r.customerId,
      channel: r.channel as Channel,
      total: formatMoney(r.totalMinor),
      awaiting: (r.awaiting ? JSON.parse(r.awaiting) : []) as StepId[],
      escalated: r.escalated,
      submittedAt: r.submittedAt,
      updatedAt: r.updatedAt,
      completedAt: r.completedAt,
    })),
    nextCursor: p.nextCursor,
  };
}

/**
 * Urgent first, then escalated, then by rank (the due time moved earlier by the customer's tier and the order's value:
 * domain/priority.ts); order and step break ties so the keyset is total.
 */
const urgency = sql<number>`(case ${inboxItems.priority} when 'urgent' then 0 else 1 end)`;
const escalation = sql<number>`(case when ${inboxItems.escalated} then 0 else 1 end)`;
const rank = sql<string>`coalesce(${inboxItems.rankAt}, ${inboxItems.dueAt})`;

/**
 * The inbox query, prepared once per shape. A principal of one department (not management) reads the
 * `inbox_queue` index in order; several departments, or management's escalated steps, need a sort.
 * Departments travel as a JSON array parameter so one statement serves every principal.
 */
function inboxStatement(db: Db, shape: { single: boolean; withCursor: boolean }) {
  const key = `inbox:${shape.single ? 'one' : 'many'}:${shape.withCursor ? 'after' : 'first'}`;
  return prepared(db, key, () => {
    const mine = shape.single
      ? eq(inboxItems.department, sql.placeholder('department'))
      : sql`(${inboxItems.department} in (select value from json_each(${sql.placeholder('departments')}))
      or (${sql.placeholder('management')} = 1 and ${inboxItems.escalated} = 1))`;
    const after = sql`(${urgency}, ${escalation}, ${rank}, ${inboxItems.orderId}, ${inboxItems.step}) >
      (${sql.placeholder('u')}, ${sql.placeholder('e')}, ${sql.placeholder('rank')}, ${sql.placeholder('orderId')}, ${sql.placeholder('step')})`;
    return db
      .select({ item: inboxItems, urgency, escalation, rank })
      .from(inboxItems)
      .where(shape.withCursor ? and(mine, after) : mine)
      .orderBy(urgency, escalation, rank, inboxItems.orderId, inboxItems.step)
      .limit(sql.placeholder('limit'))
      .prepare();
  });
}

/** The steps awaiting any of `departments` (the caller's own and those delegated to it), most urgent first. */
export function listInbox(db: Db, departments: Department[], q: { limit: number; cursor?: string }, now = Date.now()) {
  const single = departments.length === 1 && departments[0] !== 'management';
  const params = {
    department: departments[0] ?? '',
    departments: JSON.stringify(departments),
    // Management also answers for every escalated step.
    management: departments.includes('management') ? 1 : 0,
    limit: q.limit + 1,
  };
  let rows;
  if (q.cursor) {
    const [u, e, rankKey, orderId, step] = decodeCursor(q.cursor, 5);
    rows = inboxStatement(db, { single, withCursor: true }).all({ ...params, u, e, rank: rankKey, orderId, step });
  } else {
    rows = inboxStatement(db, { single, withCursor: false }).all(params);
  }
  const p = page(rows, q.limit, (r) => [Number(r.urgency), Number(r.escalation), r.rank, r.item.orderId, r.item.step]);
  return {
    items: p.rows.map(({ item }) => ({
      orderId: item.orderId,
      step: item.step as StepId,
      department: item.department,
      customerId: item.customerId,
      customerName: item.customerName,
      total: formatMoney(item.totalMinor),
      currency: item.currency,
      priority: item.priority as 'normal' | 'urgent',
      dueAt: item.dueAt,
      waitingSince: item.waitingSince,
      escalated: item.escalated,
      claimedBy: item.claimedBy,
      findings: item.findings ?? [],
      priorityReasons: [...(item.priorityReasons ?? []), dueReason(item.dueAt, now)],
    })),
    nextCursor: p.nextCursor,
  };
}

/** The order's state now, if the log holds an event caused by the Update `updateId` (it took effect). */
export function stateAfterUpdate(db: Db, orderId: string, updateId: string): OrderState | undefined {
  const applied = orderEventsOf(db, orderId).some((e) => e.data.updateId === updateId);
  return applied ? findOrder(db, orderId)?.state : undefined;
}

/**
 * Logs a refused decision attempt (who tried which step, why it was refused, with what status) as an
 * `order.decision_refused` event: the audit shows every one, however close together.
 */
export function recordRefusedDecision(
  db: Db,
  r: { orderId: string; step: string; actor: string; status: number; reason: string; decision?: DecisionKind },
): void {
  const submittedBy = findOrder(db, r.orderId)?.submittedBy ?? null;
  writeTx(db, (tx) =>
    appendEvents(tx, { stream: orderStream(r.orderId), orderId: r.orderId, submittedBy }, [
      {
        id: randomUUID(),
        type: 'order.decision_refused',
        at: new Date().toISOString(),
        revision: null,
        step: r.step as StepId,
        actor: r.actor,
        data: { ...(r.decision ? { decision: r.decision } : {}), reason: r.reason, status: r.status },
      },
    ]),
  );
}
