/**
 * Writes the read model (orders row + inbox) and the event log from what the workflow sends, in one transaction.
 * The workflow stays the source of truth: each write carries the state's version and only a newer version replaces
 * an older one, so retried or reordered attempts never move the read model backwards; events carry stable ids, so a
 * retried attempt logs nothing twice.
 */
import { eq, sql } from 'drizzle-orm';
import { writeTx } from '../db/client';
import { appendEvents, orderStream } from '../db/events';
import { inboxItems, orders } from '../db/schema';
import type { NewEvent } from '../domain/events';
import { parseMoney } from '../domain/money';
import { STEP_DEPARTMENT } from '../domain/types';
import type { OrderState } from '../workflows/messages';
import type { ActivityDeps } from './context';

export interface RecordStateInput {
  state: OrderState;
  /** The events since the previous write, in the order they happened. */
  events: NewEvent[];
}

export interface RecordStateResult {
  /** False when a newer state was already written (a retried or late attempt). */
  applied: boolean;
  /** Events this attempt added to the log (0 on a retry of an attempt that committed). */
  logged: number;
}

export function createReadModelActivities({ db, onEventsLogged }: ActivityDeps) {
  return {
    /** Upserts the order's read model row and its inbox items (if `state` is newer) and appends its events. */
    async recordState({ state, events }: RecordStateInput): Promise<RecordStateResult> {
      const totalMinor = parseMoney(state.order.total);
      const awaiting = state.steps.filter((s) => s.status === 'awaiting_decision');
      const values = {
        // An amendment may change the customer: lists and the credit exposure must follow it.
        customerId: state.customerId,
        channel: state.order.channel,
        status: state.status,
        revision: state.revision,
        priority: state.priority,
        totalMinor,
        escalated: awaiting.some((s) => s.escalated),
        updatedAt: state.updatedAt,
        completedAt: state.completedAt,
        state: state as unknown as Record<string, unknown>,
        version: state.version,
      };
      const result = writeTx(db, (tx): RecordStateResult => {
        const logged = appendEvents(
          tx,
          { stream: orderStream(state.orderId), orderId: state.orderId, submittedBy: state.submittedBy },
          events,
        );
        const res = tx
          .insert(orders)
          .values({ orderId: state.orderId, submittedBy: state.submittedBy, submittedAt: state.submittedAt, ...values })
          .onConflictDoUpdate({ target: orders.orderId, set: values, setWhere: sql`${orders.version} < ${state.version}` })
          .run();
        if (res.changes === 0) return { applied: false, logged };
        tx.delete(inboxItems).where(eq(inboxItems.orderId, state.orderId)).run();
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
        return { applied: true, logged };
      });
      if (result.logged > 0) onEventsLogged?.();
      return result;
    },
  };
}
