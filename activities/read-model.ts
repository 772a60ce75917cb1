/**
 * Writes the read model (orders row + inbox) and the event log from what the workflow sends, in one transaction.
 * The workflow stays the source of truth: each write carries the state's version and only a newer version replaces
 * an older one, so retried or reordered attempts never move the read model backwards; events carry stable ids, so a
 * retried attempt logs nothing twice.
 */
import { eq, sql } from 'drizzle-orm';
import { writeTx } from '../db/client';
import { appendEvents, orderStream } from '../db/events';
import { refreshKpiFacts } from '../db/kpi-facts';
import { customers, inboxItems, orders } from '../db/schema';
import type { NewEvent } from '../domain/events';
import { isKpiEventType } from '../domain/kpis';
import { inboxRank } from '../domain/priority';
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
        // After the orders row exists (the facts row references it); also for a late attempt that logged events.
        if (logged > 0 && events.some((e) => isKpiEventType(e.type))) refreshKpiFacts(db, state.orderId);
        if (res.changes === 0) return { applied: false, logged };
        tx.delete(inboxItems).where(eq(inboxItems.orderId, state.orderId)).run();
        if (awaiting.length > 0) {
          // The inbox shows who the customer is and ranks by its tier: read once per write, by primary key.
          const customer = tx.select({ name: customers.name, tier: customers.tier }).from(customers).where(eq(customers.id, state.customerId)).get();
          tx.insert(inboxItems)
            .values(
              awaiting.map((s) => {
                const dueAt = s.dueAt ?? state.updatedAt;
                const rank = inboxRank({
                  priority: state.priority,
                  tier: customer?.tier ?? null,
                  totalMinor,
                  currency: state.order.currency,
                  dueAt,
                  escalated: s.escalated,
                });
                return {
                  orderId: state.orderId,
                  step: s.step,
                  department: STEP_DEPARTMENT[s.step],
                  customerId: state.customerId,
                  customerName: customer?.name ?? null,
                  totalMinor,
                  currency: state.order.currency,
                  priority: state.priority,
                  dueAt,
                  waitingSince: s.waitingSince ?? state.updatedAt,
                  escalated: s.escalated,
                  claimedBy: s.claimedBy ?? null,
                  findings: s.findings,
                  rankAt: rank.rankAt,
                  priorityReasons: rank.reasons,
                };
              }),
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
