/**
 * The relay workflow's activities: read the log for one receiver, deliver a batch (webhook POSTs, or mails), record
 * every attempt, and mark what is given up. Delivery failures are results, not errors: the workflow decides when to
 * try again. Every write is keyed so a re-run attempt records nothing twice.
 */
import { and, asc, eq, gt, inArray, lte, max, notInArray, notLike, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type EventRow, toLoggedEvent } from '../db/events';
import { notifications, orderEvents, orders, relayCheckpoints, webhookDeliveries, webhooks } from '../db/schema';
import type { SecretBox } from '../db/secrets';
import { INTERNAL_EVENT_TYPES, LEGACY_EVENT_ID_PREFIX } from '../domain/events';
import type { OrderState } from '../workflows/messages';
import { type RelayRef, relayKey } from '../workflows/relay-messages';
import { type Mailer, NOTIFIED_TYPES, composeMail, departmentToTell, recipientsOf } from './mailer';
import { deliverWebhook } from './webhook-sender';

export interface RelayDeps {
  db: Db;
  secrets: SecretBox;
  mailer: Mailer;
  allowPrivate: boolean;
  publicUrl: string;
  now?: () => Date;
  /** Told of every delivery attempt and mail as it is recorded (the worker's metrics). */
  observe?: RelayObserver;
}

/** What the relay reports as it records: a webhook attempt's outcome and lag, a notification's status. */
export interface RelayObserver {
  webhookDelivery(outcome: string, lagMs: number | null): void;
  notification(status: string): void;
}

export interface RelayFetchResult {
  /** False once the subscription was deleted: the relay ends. */
  active: boolean;
  /** The log position read up to (the next read starts after it). */
  scannedTo: number;
  items: { pos: number; eventId: string; key: string }[];
}

export interface RelayChain {
  /** The order (or stream) the events belong to; its events go one after the other. */
  key: string;
  items: { pos: number; eventId: string }[];
}

/** How many orders' chains are delivered at the same time. */
export const PARALLEL_CHAINS = 8;

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export function createRelayActivities(deps: RelayDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const webhookOf = (id: string) => db.select().from(webhooks).where(eq(webhooks.id, id)).get();
  const eventById = (id: string) => db.select().from(orderEvents).where(eq(orderEvents.id, id)).get();
  const nextAttempt = (webhookId: string, eventId: string) =>
    (db
      .select({ n: max(webhookDeliveries.attempt) })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, eventId)))
      .get()?.n ?? 0) + 1;

  function saveCheckpoint(relay: RelayRef, pos: number): void {
    const values = { pos, updatedAt: now().toISOString() };
    db.insert(relayCheckpoints).values({ relayId: relayKey(relay), ...values }).onConflictDoUpdate({ target: relayCheckpoints.relayId, set: values }).run();
  }

  const deliveredBefore = (webhookId: string, eventId: string) =>
    !!db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.outcome, 'delivered')))
      .get();

  /** Delivers one order's events in seq order; stops at the first failure (the rest wait for its retry). */
  async function deliverWebhookChain(webhookId: string, target: { url: string; secret: string }, chain: RelayChain, out: { eventId: string; ok: boolean }[]) {
    const manual = chain.key.startsWith('manual:');
    for (const item of chain.items) {
      const row = eventById(item.eventId);
      if (!row) {
        out.push({ eventId: item.eventId, ok: true }); // nothing to deliver any more
        continue;
      }
      // A worker killed mid-chain loses the relay's record of what this activity delivered (a local activity's
      // result lives in the workflow task it ran in), and the restarted relay hands the same events over again: the
      // delivery log knows they got through. Only a delivery the log has not recorded yet (the answer came, the
      // process died before the insert below) still goes twice. A manual redelivery is asked for: it goes again.
      if (!manual && deliveredBefore(webhookId, item.eventId)) {
        out.push({ eventId: item.eventId, ok: true });
        continue;
      }
      const res = await deliverWebhook(target, toLoggedEvent(row), { allowPrivate: deps.allowPrivate });
      const at = now();
      const outcome = res.ok ? 'delivered' : res.refused ? 'refused' : 'failed';
      const lagMs = at.getTime() - Date.parse(row.at);
      db.insert(webhookDeliveries)
        .values({
          webhookId,
          eventId: item.eventId,
          attempt: nextAttempt(webhookId, item.eventId),
          at: at.toISOString(),
          outcome,
          httpStatus: res.httpStatus,
          error: res.error,
          lagMs,
        })
        .run();
      deps.observe?.webhookDelivery(outcome, lagMs);
      out.push({ eventId: item.eventId, ok: res.ok });
      if (!res.ok) return;
    }
  }

  /** Mails one event to everyone who must hear of it; ok once each of them has it (sent or, without SMTP, logged). */
  async function notify(row: EventRow): Promise<boolean> {
    const dept = departmentToTell(row);
    if (!dept) return true;
    const order = row.orderId
      ? (db.select({ state: orders.state }).from(orders).where(eq(orders.orderId, row.orderId)).get()?.state as OrderState | undefined)
      : undefined;
    const step = order?.steps.find((s) => s.step === row.step);
    const mail = composeMail(row, order && { total: order.order.total, currency: order.order.currency, customerId: order.customerId, findings: step?.findings }, deps.publicUrl);
    let allOk = true;
    for (const to of recipientsOf(db, dept)) {
      const existing = db
        .select()
        .from(notifications)
        .where(and(eq(notifications.eventId, row.id), eq(notifications.recipient, to.id)))
        .get();
      if (existing && (existing.status === 'sent' || existing.status === 'logged')) continue; // one mail per person and event
      let status = deps.mailer.sends ? 'sent' : 'logged';
      let error: string | null = null;
      try {
        await deps.mailer.send(to, { ...mail, orderId: row.orderId });
      } catch (err) {
        status = 'failed';
        error = err instanceof Error ? err.message : String(err);
        allOk = false;
      }
      const values = { status, error, attempts: (existing?.attempts ?? 0) + 1, at: now().toISOString() };
      db.insert(notifications)
        .values({ eventId: row.id, orderId: row.orderId, recipient: to.id, email: to.email, kind: mail.kind, subject: mail.subject, ...values })
        .onConflictDoUpdate({ target: [notifications.eventId, notifications.recipient], set: values })
        .run();
      deps.observe?.notification(status);
    }
    return allOk;
  }

  return {
    /** The next events this relay carries, after `afterPos` (or, on a first start, after its checkpoint). */
    async relayFetch({ relay, afterPos, limit }: { relay: RelayRef; afterPos: number | null; limit: number }): Promise<RelayFetchResult> {
      // Read the end of the log first: everything up to it is considered, so sparse matches still move the cursor.
      const end = db.select({ pos: max(orderEvents.pos) }).from(orderEvents).get()?.pos ?? 0;
      let after = afterPos;
      if (after === null) {
        const saved = db.select({ pos: relayCheckpoints.pos }).from(relayCheckpoints).where(eq(relayCheckpoints.relayId, relayKey(relay))).get();
        // A relay with no checkpoint starts at the end: it carries what happens from now on.
        after = saved?.pos ?? end;
        if (!saved) saveCheckpoint(relay, end);
      }
      // Events logged for orders reviewed before the log existed are history, not news: no relay carries them.
      const where = [gt(orderEvents.pos, after), lte(orderEvents.pos, end), notLike(orderEvents.id, `${LEGACY_EVENT_ID_PREFIX}%`)];
      if (relay.kind === 'webhook') {
        const hook = webhookOf(relay.webhookId);
        if (!hook || hook.deletedAt) return { active: false, scannedTo: after, items: [] };
        if (hook.types.length > 0) where.push(inArray(orderEvents.type, hook.types));
        if (hook.ownOrdersOnly) {
          where.push(eq(orderEvents.submittedBy, hook.ownerId), notInArray(orderEvents.type, [...INTERNAL_EVENT_TYPES]));
        }
      } else {
        where.push(inArray(orderEvents.type, [...NOTIFIED_TYPES]));
      }
      const rows = db
        .select({ pos: orderEvents.pos, id: orderEvents.id, stream: orderEvents.stream })
        .from(orderEvents)
        .where(and(...where))
        .orderBy(asc(orderEvents.pos))
        .limit(limit)
        .all();
      const scannedTo = rows.length === limit ? rows[rows.length - 1]!.pos : end;
      return { active: true, scannedTo, items: rows.map((r) => ({ pos: r.pos, eventId: r.id, key: r.stream })) };
    },

    /** Delivers the chains (each in order, several orders at once) and says which events got through. */
    async relayDeliver({ relay, chains, checkpoint }: { relay: RelayRef; chains: RelayChain[]; checkpoint: number }) {
      saveCheckpoint(relay, checkpoint);
      const outcomes: { eventId: string; ok: boolean }[] = [];
      if (relay.kind === 'webhook') {
        const hook = webhookOf(relay.webhookId);
        if (!hook || hook.deletedAt) return { outcomes: chains.flatMap((c) => c.items.map((i) => ({ eventId: i.eventId, ok: true }))) };
        const target = { url: hook.url, secret: deps.secrets.open(hook.secretSealed) };
        await inParallel(chains, PARALLEL_CHAINS, (chain) => deliverWebhookChain(hook.id, target, chain, outcomes));
      } else {
        await inParallel(chains, PARALLEL_CHAINS, async (chain) => {
          for (const item of chain.items) {
            const row = eventById(item.eventId);
            const ok = row ? await notify(row) : true;
            outcomes.push({ eventId: item.eventId, ok });
            if (!ok) return;
          }
        });
      }
      return { outcomes };
    },

    /** Retries are exhausted: the delivery (or the notification) is marked failed for good. */
    async relayGiveUp({ relay, eventId, failures }: { relay: RelayRef; eventId: string; failures: number }): Promise<void> {
      const at = now().toISOString();
      if (relay.kind === 'webhook') {
        const already = db
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.webhookId, relay.webhookId), eq(webhookDeliveries.eventId, eventId), eq(webhookDeliveries.outcome, 'gave_up')))
          .get();
        if (already) return;
        db.insert(webhookDeliveries)
          .values({
            webhookId: relay.webhookId,
            eventId,
            attempt: nextAttempt(relay.webhookId, eventId),
            at,
            outcome: 'gave_up',
            httpStatus: null,
            error: `no success after ${failures} attempts; marked failed`,
            lagMs: null,
          })
          .run();
        deps.observe?.webhookDelivery('gave_up', null);
      } else {
        const given = db
          .update(notifications)
          .set({ status: 'gave_up', at })
          .where(and(eq(notifications.eventId, eventId), eq(notifications.status, 'failed')))
          .run();
        for (let i = 0; i < given.changes; i++) deps.observe?.notification('gave_up');
      }
    },
  };
}

/**
 * Gives a relay its starting point in the log — the end of it, now — unless it has one. Run when a process that
 * wakes relays starts (and when a webhook is made): everything logged from then on is carried, even if the relay's
 * workflow only gets to read the log later (a relay that set its own start at its first read would skip the events
 * logged while it was being started).
 */
export function ensureRelayCheckpoint(db: Db, relay: RelayRef, at = new Date()): void {
  const end = db.select({ pos: max(orderEvents.pos) }).from(orderEvents).get()?.pos ?? 0;
  db.insert(relayCheckpoints).values({ relayId: relayKey(relay), pos: end, updatedAt: at.toISOString() }).onConflictDoNothing().run();
}

/** The relays that should be running: every webhook not deleted, and the mail relay of this task queue. */
export function activeRelays(db: Db, mailScope: string): RelayRef[] {
  const hooks = db.select({ id: webhooks.id }).from(webhooks).where(sql`${webhooks.deletedAt} is null`).all();
  return [{ kind: 'mail', scope: mailScope }, ...hooks.map((h) => ({ kind: 'webhook' as const, webhookId: h.id }))];
}
