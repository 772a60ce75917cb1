/**
 * Writes the read model (orders row + inbox) and the event log from what the workflow sends, in one transaction.
 * The workflow stays the source of truth: each write carries the state's version and only a newer version replaces
 * an older one, so retried or reordered attempts never move the read model backwards; events carry stable ids, so a
 * retried attempt logs nothing twice.
 */
import { type Db, prepared, writeTx } from '../db/client';
import { appendEvents, orderStream } from '../db/events';
import { refreshKpiFacts } from '../db/kpi-facts';
import type { NewEvent } from '../domain/events';
import { isKpiEventType } from '../domain/kpis';
import { inboxRank } from '../domain/priority';
import { parseMoney } from '../domain/money';
import { type CustomerTier, STEP_DEPARTMENT } from '../domain/types';
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

interface OrderRowParams {
  orderId: string;
  submittedBy: string;
  customerId: string;
  channel: string;
  status: string;
  revision: number;
  priority: string;
  totalMinor: number;
  escalated: 0 | 1;
  submittedAt: string;
  updatedAt: string;
  completedAt: string | null;
  state: string;
  version: number;
}

interface InboxRowParams {
  orderId: string;
  step: string;
  department: string;
  customerId: string;
  customerName: string | null;
  totalMinor: number;
  currency: string;
  priority: string;
  dueAt: string;
  waitingSince: string;
  escalated: 0 | 1;
  claimedBy: string | null;
  findings: string | null;
  rankAt: string;
  priorityReasons: string;
}

/**
 * The read model's statements, prepared once per database: building them with drizzle on every write cost more
 * than running them (S1 profile). The upsert names every column it writes: columns of the orders row that other
 * writers own (or that later migrations add) are never touched by it. Only a newer version replaces the row.
 */
const statements = (db: Db) =>
  prepared(db, 'readModel', () => ({
    upsertOrder: db.$client.prepare<OrderRowParams>(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
         submitted_at, updated_at, completed_at, state, version)
       values (@orderId, @submittedBy, @customerId, @channel, @status, @revision, @priority, @totalMinor, @escalated,
         @submittedAt, @updatedAt, @completedAt, @state, @version)
       on conflict (order_id) do update set
         customer_id = excluded.customer_id, channel = excluded.channel, status = excluded.status,
         revision = excluded.revision, priority = excluded.priority, total_minor = excluded.total_minor,
         escalated = excluded.escalated, updated_at = excluded.updated_at, completed_at = excluded.completed_at,
         state = excluded.state, version = excluded.version
       where orders.version < excluded.version`,
    ),
    clearInbox: db.$client.prepare<[string]>('delete from inbox_items where order_id = ?'),
    insertInbox: db.$client.prepare<InboxRowParams>(
      `insert into inbox_items (order_id, step, department, customer_id, customer_name, total_minor, currency, priority,
         due_at, waiting_since, escalated, claimed_by, findings, rank_at, priority_reasons)
       values (@orderId, @step, @department, @customerId, @customerName, @totalMinor, @currency, @priority,
         @dueAt, @waitingSince, @escalated, @claimedBy, @findings, @rankAt, @priorityReasons)`,
    ),
    customer: db.$client.prepare<[string], { name: string; tier: CustomerTier }>('select name, tier from customers where id = ?'),
  }));

export function createReadModelActivities({ db, onEventsLogged }: ActivityDeps) {
  return {
    /** Upserts the order's read model row and its inbox items (if `state` is newer) and appends its events. */
    async recordState({ state, events }: RecordStateInput): Promise<RecordStateResult> {
      const st = statements(db);
      const totalMinor = parseMoney(state.order.total);
      const awaiting = state.steps.filter((s) => s.status === 'awaiting_decision');
      const result = writeTx(db, (tx): RecordStateResult => {
        const logged = appendEvents(
          tx,
          { stream: orderStream(state.orderId), orderId: state.orderId, submittedBy: state.submittedBy },
          events,
        );
        const res = st.upsertOrder.run({
          orderId: state.orderId,
          submittedBy: state.submittedBy,
          // An amendment may change the customer: lists and the credit exposure must follow it.
          customerId: state.customerId,
          channel: state.order.channel,
          status: state.status,
          revision: state.revision,
          priority: state.priority,
          totalMinor,
          escalated: awaiting.some((s) => s.escalated) ? 1 : 0,
          submittedAt: state.submittedAt,
          updatedAt: state.updatedAt,
          completedAt: state.completedAt,
          // Serialised once, here: the upsert's update reads it back from `excluded`.
          state: JSON.stringify(state),
          version: state.version,
        });
        // After the orders row exists (the facts row references it); also for a late attempt that logged events.
        if (logged > 0 && events.some((e) => isKpiEventType(e.type))) refreshKpiFacts(tx, state.orderId);
        if (res.changes === 0) return { applied: false, logged };
        st.clearInbox.run(state.orderId);
        if (awaiting.length > 0) {
          // The inbox shows who the customer is and ranks by its tier: read once per write, by primary key.
          const customer = st.customer.get(state.customerId);
          for (const s of awaiting) {
            const dueAt = s.dueAt ?? state.updatedAt;
            const rank = inboxRank({
              priority: state.priority,
              tier: customer?.tier ?? null,
              totalMinor,
              currency: state.order.currency,
              dueAt,
              escalated: s.escalated,
            });
            st.insertInbox.run({
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
              escalated: s.escalated ? 1 : 0,
              claimedBy: s.claimedBy ?? null,
              findings: s.findings === undefined ? null : JSON.stringify(s.findings),
              rankAt: rank.rankAt,
              priorityReasons: JSON.stringify(rank.reasons),
            });
          }
        }
        return { applied: true, logged };
      });
      if (result.logged > 0) onEventsLogged?.();
      return result;
    },
  };
}
