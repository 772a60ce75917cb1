/** Reads of the order read model (written by the workflow through activities) and the inbox. */
import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { type Db, prepared } from '../../db/client';
import type { Principal } from '../../db/principals';
import { inboxItems, orders, refusedDecisions } from '../../db/schema';
import { formatMoney } from '../../domain/money';
import type { OrderStatus, StepId } from '../../domain/types';
import type { OrderReviewInput, OrderState } from '../../workflows/messages';
import { decodeCursor, page } from '../pagination';
import { problems } from '../problem';
import { departmentsOf, seesAllOrders } from '../roles';

export type OrderRow = typeof orders.$inferSelect;

export function findOrder(db: Db, orderId: string): OrderRow | undefined {
  const byId = prepared(db, 'orderById', () => db.select().from(orders).where(eq(orders.orderId, sql.placeholder('id'))).prepare());
  return byId.get({ id: orderId });
}

/**
 * The order if the principal may see it. An integrator gets 404 (not 403) for another's order: whether an
 * order id exists is itself information a partner channel must not learn.
 */
export function visibleOrder(db: Db, principal: Principal, orderId: string): OrderRow {
  const row = findOrder(db, orderId);
  if (!row || (!seesAllOrders(principal) && row.submittedBy !== principal.id)) {
    throw problems.notFound(`order ${orderId} not found`);
  }
  return row;
}

/** The order as GET /v1/orders/{orderId} shows it: the workflow's state plus the order's own review plan. */
export type OrderView = OrderState & { stages: StepId[][] };

export function stateOf(row: OrderRow): OrderView {
  return withPlan(row, row.state as unknown as OrderState);
}

/**
 * Adds the review plan of the policy the order captured when it started (intake first, then the policy's stages),
 * so a client draws the plan this order runs instead of assuming one. A review started outside the API (tests,
 * tooling) has no captured input in its row: its steps are then listed one per stage.
 */
export function withPlan(row: Pick<OrderRow, 'workflowInput'>, state: OrderState): OrderView {
  const policy = (row.workflowInput as Partial<OrderReviewInput>).policy;
  const stages: StepId[][] = policy?.stages ?? state.steps.filter((s) => s.step !== 'intake').map((s) => [s.step]);
  return { ...state, stages: [['intake'], ...stages.map((stage) => [...stage])] };
}

export function listOrders(
  db: Db,
  principal: Principal,
  q: { status?: OrderStatus; customerId?: string; limit: number; cursor?: string },
) {
  const where: (SQL | undefined)[] = [];
  if (!seesAllOrders(principal)) where.push(eq(orders.submittedBy, principal.id));
  if (q.status) where.push(eq(orders.status, q.status));
  if (q.customerId) where.push(eq(orders.customerId, q.customerId));
  if (q.cursor) {
    const [submittedAt, orderId] = decodeCursor(q.cursor, 2);
    where.push(sql`(${orders.submittedAt}, ${orders.orderId}) < (${submittedAt}, ${orderId})`);
  }
  const rows = db
    .select()
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
      priority: r.priority as 'normal' | 'urgent',
      customerId: r.customerId,
      total: formatMoney(r.totalMinor),
      awaiting: (stateOf(r).awaiting ?? []) as StepId[],
      submittedAt: r.submittedAt,
      updatedAt: r.updatedAt,
      completedAt: r.completedAt,
    })),
    nextCursor: p.nextCursor,
  };
}

/** Urgent first, then escalated, then the earliest due; order and step break ties so the keyset is total. */
const urgency = sql<number>`(case ${inboxItems.priority} when 'urgent' then 0 else 1 end)`;
const escalation = sql<number>`(case when ${inboxItems.escalated} then 0 else 1 end)`;

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
    const after = sql`(${urgency}, ${escalation}, ${inboxItems.dueAt}, ${inboxItems.orderId}, ${inboxItems.step}) >
      (${sql.placeholder('u')}, ${sql.placeholder('e')}, ${sql.placeholder('dueAt')}, ${sql.placeholder('orderId')}, ${sql.placeholder('step')})`;
    return db
      .select({ item: inboxItems, urgency, escalation })
      .from(inboxItems)
      .where(shape.withCursor ? and(mine, after) : mine)
      .orderBy(urgency, escalation, inboxItems.dueAt, inboxItems.orderId, inboxItems.step)
      .limit(sql.placeholder('limit'))
      .prepare();
  });
}

export function listInbox(db: Db, principal: Principal, q: { limit: number; cursor?: string }) {
  const departments = departmentsOf(principal);
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
    const [u, e, dueAt, orderId, step] = decodeCursor(q.cursor, 5);
    rows = inboxStatement(db, { single, withCursor: true }).all({ ...params, u, e, dueAt, orderId, step });
  } else {
    rows = inboxStatement(db, { single, withCursor: false }).all(params);
  }
  const p = page(rows, q.limit, (r) => [Number(r.urgency), Number(r.escalation), r.item.dueAt, r.item.orderId, r.item.step]);
  return {
    items: p.rows.map(({ item }) => ({
      orderId: item.orderId,
      step: item.step as StepId,
      department: item.department,
      customerId: item.customerId,
      total: formatMoney(item.totalMinor),
      priority: item.priority as 'normal' | 'urgent',
      dueAt: item.dueAt,
      waitingSince: item.waitingSince,
      escalated: item.escalated,
    })),
    nextCursor: p.nextCursor,
  };
}

/** Keeps a refused decision attempt for the audit trail (who tried, which step, why it was refused). */
export function recordRefusedDecision(
  db: Db,
  r: { orderId: string; step: string; actor: string; status: number; reason: string },
): void {
  db.insert(refusedDecisions)
    .values({ ...r, at: new Date().toISOString() })
    .run();
}
