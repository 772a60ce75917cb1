/**
 * Writes the read model (orders row + inbox) from the state the workflow sends. The workflow stays the
 * source of truth: each write carries the state's version and only a newer version replaces an older one,
 * so retried or reordered activity attempts can never move the read model backwards.
 */
import { writeTx } from '../db/client';
import { eq, sql } from 'drizzle-orm';
import { parseMoney } from '../domain/money';
import { STEP_DEPARTMENT } from '../domain/types';
import type { AuditEvent, OrderState } from '../workflows/messages';
import { inboxItems, orders } from '../db/schema';
import type { ActivityDeps } from './context';

export interface RecordStateInput {
  state: OrderState;
  /** The audit events since the previous write. */
  events: AuditEvent[];
}

export interface RecordStateResult {
  applied: boolean;
  /**
   * The events, handed back: a local activity's result is what its history marker keeps (its input is not),
   * and the audit timeline is rebuilt from those markers.
   */
  events: AuditEvent[];
}

export function createReadModelActivities({ db }: ActivityDeps) {
  return {
    /** Upserts the order's read model row and rewrites its inbox items, if `state` is newer. */
    async recordState({ state, events }: RecordStateInput): Promise<RecordStateResult> {
      const totalMinor = parseMoney(state.order.total);
      const values = {
        // An amendment may change the customer: lists and the credit exposure must follow it.
        customerId: state.customerId,
        status: state.status,
        revision: state.revision,
        priority: state.priority,
        totalMinor,
        updatedAt: state.updatedAt,
        completedAt: state.completedAt,
        state: state as unknown as Record<string, unknown>,
        version: state.version,
      };
      return writeTx(db, (tx) => {
        const res = tx
          .insert(orders)
          .values({
            orderId: state.orderId,
            // A workflow started without the API (tests, tooling) still gets a read model row.
            workflowId: `order-${state.orderId}`,
            bodyHash: '',
            submittedBy: state.submittedBy,
            submittedAt: state.submittedAt,
            workflowInput: {},
            workflowStarted: true,
            ...values,
          })
          .onConflictDoUpdate({
            target: orders.orderId,
            set: { ...values, workflowStarted: true },
            setWhere: sql`${orders.version} < ${state.version}`,
          })
          .run();
        if (res.changes === 0) return { applied: false, events };
        tx.delete(inboxItems).where(eq(inboxItems.orderId, state.orderId)).run();
        const awaiting = state.steps.filter((s) => s.status === 'awaiting_decision');
        if (awaiting.length > 0) {
          tx.insert(inboxItems)
            .values(
              awaiting.map((s) => ({
                orderId: state.orderId,
                step: s.step,
                department: STEP_DEPARTMENT[s.step],
                customerId: state.customerId,
                totalMinor,
                priority: state.priority,
                dueAt: s.dueAt ?? state.updatedAt,
                waitingSince: s.waitingSince ?? state.updatedAt,
                escalated: s.escalated,
              })),
            )
            .run();
        }
        return { applied: true, events };
      });
    },
  };
}
