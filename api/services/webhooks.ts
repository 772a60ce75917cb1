/**
 * Webhook subscriptions: made with a signing secret shown once (kept sealed), listed without it, deleted. Each
 * subscription's deliveries run in its own relay workflow (workflows/relay.ts), started here and woken by new events.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq, lt, max } from 'drizzle-orm';
import type { z } from 'zod';
import { assertWebhookUrlAllowed, UrlNotAllowedError } from '../../activities/net-guard';
import type { RelayWaker } from '../../activities/relay-waker';
import { type Db, writeTx } from '../../db/client';
import type { Principal } from '../../db/principals';
import { orderEvents, relayCheckpoints, webhookDeliveries, webhooks } from '../../db/schema';
import type { SecretBox } from '../../db/secrets';
import { INTERNAL_EVENT_TYPES } from '../../domain/events';
import { relayKey, relayRedeliverSignal, relayWorkflowId } from '../../workflows/relay-messages';
import type { Client } from '@temporalio/client';
import { decodeCursor, page } from '../pagination';
import { problems } from '../problem';
import { hasAnyRole } from '../roles';
import type { createWebhookBody } from '../schemas/webhooks';

type WebhookRow = typeof webhooks.$inferSelect;

export interface WebhookDeps {
  db: Db;
  secrets: SecretBox;
  waker: RelayWaker | undefined;
  temporal: Client;
  allowPrivate: boolean;
}

function view(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    types: row.types,
    description: row.description,
    ownerId: row.ownerId,
    scope: row.ownOrdersOnly ? ('own_orders' as const) : ('all' as const),
    createdAt: row.createdAt,
  };
}

/** Admins subscribe to every order; an integrator only ever to its own. */
const seesAll = (p: Principal) => hasAnyRole(p, ['admin']);

export async function createWebhook(deps: WebhookDeps, principal: Principal, body: z.output<typeof createWebhookBody>) {
  try {
    await assertWebhookUrlAllowed(body.url, deps.allowPrivate);
  } catch (err) {
    if (err instanceof UrlNotAllowedError) throw problems.badRequest('the webhook URL is not allowed', [{ path: 'url', message: err.message }]);
    throw err;
  }
  const ownOnly = !seesAll(principal);
  const internal = body.types.filter((t) => INTERNAL_EVENT_TYPES.includes(t));
  if (ownOnly && internal.length > 0) {
    throw problems.badRequest('these event types are not delivered to integrators', [{ path: 'types', message: `not available: ${internal.join(', ')}` }]);
  }
  const id = `wh_${randomBytes(12).toString('base64url')}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const createdAt = new Date().toISOString();
  const row = writeTx(deps.db, (tx) => {
    // Deliveries start with the events that happen from now on.
    const end = tx.select({ pos: max(orderEvents.pos) }).from(orderEvents).get()?.pos ?? 0;
    tx.insert(relayCheckpoints).values({ relayId: relayKey({ kind: 'webhook', webhookId: id }), pos: end, updatedAt: createdAt }).run();
    return tx
      .insert(webhooks)
      .values({
        id,
        ownerId: principal.id,
        ownOrdersOnly: ownOnly,
        url: body.url,
        types: body.types,
        description: body.description ?? null,
        secretSealed: deps.secrets.seal(secret),
        createdAt,
      })
      .returning()
      .get();
  });
  await deps.waker?.wake({ kind: 'webhook', webhookId: id });
  return { ...view(row), secret };
}

/** The subscription if the principal may see it (an integrator: only its own); 404 otherwise. */
export function visibleWebhook(db: Db, principal: Principal, id: string): WebhookRow {
  const row = db.select().from(webhooks).where(eq(webhooks.id, id)).get();
  if (!row || row.deletedAt || (!seesAll(principal) && row.ownerId !== principal.id)) throw problems.notFound(`webhook ${id} not found`);
  return row;
}

export function listWebhooks(db: Db, principal: Principal) {
  const rows = db.select().from(webhooks).orderBy(webhooks.createdAt).all();
  return rows.filter((r) => !r.deletedAt && (seesAll(principal) || r.ownerId === principal.id)).map(view);
}

export function getWebhook(db: Db, principal: Principal, id: string) {
  return view(visibleWebhook(db, principal, id));
}

/** Deletes the subscription; its relay sees that and ends. */
export async function deleteWebhook(deps: WebhookDeps, principal: Principal, id: string): Promise<void> {
  visibleWebhook(deps.db, principal, id);
  deps.db.update(webhooks).set({ deletedAt: new Date().toISOString() }).where(eq(webhooks.id, id)).run();
  await deps.waker?.wake({ kind: 'webhook', webhookId: id }).catch(() => undefined);
}

export function listDeliveries(db: Db, principal: Principal, id: string, q: { limit: number; cursor?: string; eventId?: string }) {
  visibleWebhook(db, principal, id);
  const before = q.cursor ? Number(decodeCursor(q.cursor, 1)[0]) : undefined;
  const rows = db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.webhookId, id),
        q.eventId ? eq(webhookDeliveries.eventId, q.eventId) : undefined,
        before !== undefined ? lt(webhookDeliveries.id, before) : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1)
    .all();
  const p = page(rows, q.limit, (r) => [r.id]);
  return {
    items: p.rows.map((r) => ({
      eventId: r.eventId,
      attempt: r.attempt,
      at: r.at,
      status: r.outcome as 'delivered' | 'failed' | 'gave_up' | 'refused',
      httpStatus: r.httpStatus,
      error: r.error,
      lagMs: r.lagMs,
    })),
    nextCursor: p.nextCursor,
  };
}

/** Queues the event for delivery again (a manual redelivery), if the subscription carries it. */
export async function redeliver(deps: WebhookDeps, principal: Principal, id: string, eventId: string) {
  const hook = visibleWebhook(deps.db, principal, id);
  const ev = deps.db.select().from(orderEvents).where(eq(orderEvents.id, eventId)).get();
  const inScope =
    ev &&
    (hook.types.length === 0 || hook.types.includes(ev.type)) &&
    (!hook.ownOrdersOnly || (ev.submittedBy === hook.ownerId && !INTERNAL_EVENT_TYPES.includes(ev.type as never)));
  if (!ev || !inScope) throw problems.notFound(`event ${eventId} is not one this webhook delivers`);
  // Make sure the relay runs, then hand it the event.
  await deps.waker?.wake({ kind: 'webhook', webhookId: id });
  await deps.temporal.workflow.getHandle(relayWorkflowId({ kind: 'webhook', webhookId: id })).signal(relayRedeliverSignal, { eventId, pos: ev.pos });
  return { eventId, queued: true as const };
}
