/** Messages and input of the event relay workflow, shared by the workflow, the worker and the API. */
import { defineSignal } from '@temporalio/workflow';

export const RELAY_WORKFLOW_TYPE = 'eventRelayWorkflow';

/** What a relay carries the log to: one webhook subscription, or the people notified by e-mail. */
export type RelayRef = { kind: 'webhook'; webhookId: string } | { kind: 'mail'; scope: string };

/** The relay's workflow id: one relay workflow per webhook, one mail relay per task queue. */
export function relayWorkflowId(relay: RelayRef): string {
  return relay.kind === 'webhook' ? `webhook-${relay.webhookId}` : `notifications-${relay.scope}`;
}

/** The relay's key in relay_checkpoints. */
export function relayKey(relay: RelayRef): string {
  return relay.kind === 'webhook' ? `webhook:${relay.webhookId}` : `mail:${relay.scope}`;
}

export interface RelayOptions {
  /** Read the log this often even when nobody wakes the relay (a wake-up lost in a crash costs at most this). */
  pollMs: number;
  /** Events fetched per read of the log, and held waiting at most (a receiver that is down stops the reading). */
  batchSize: number;
  maxQueued: number;
  /** Consecutive events of one order sent in one go (they go one after the other, in seq order). */
  chainLength: number;
  retry: { initialMs: number; factor: number; maxMs: number; giveUpAfterMs: number };
}

/** Production: retries with growing delays (5 s doubling up to 1 h) for 25 hours, then the delivery is marked failed. */
export const DEFAULT_RELAY_OPTIONS: RelayOptions = {
  pollMs: 30_000,
  batchSize: 200,
  maxQueued: 2_000,
  chainLength: 20,
  retry: { initialMs: 5_000, factor: 2, maxMs: 3_600_000, giveUpAfterMs: 25 * 3_600_000 },
};

/** An event waiting to be delivered, in its order's queue. */
export interface PendingItem {
  pos: number;
  eventId: string;
  /** Failed attempts so far, the first failure's time and when to try again (epoch ms). */
  failures: number;
  firstFailedAt: number | null;
  nextAt: number | null;
}

export interface RelayInput {
  relay: RelayRef;
  options: RelayOptions;
  /** Carried over by continue-as-new; absent on a first start (the relay resumes from its checkpoint). */
  state?: { cursor: number | null; queues: [string, PendingItem[]][] };
}

/** New events are in the log: read it now instead of at the next poll. */
export const relayWakeSignal = defineSignal('relayWakeSignal');
/** Deliver this event again (a manual redelivery), apart from its order's queue. */
export const relayRedeliverSignal = defineSignal<[{ eventId: string; pos: number }]>('relayRedeliverSignal');
