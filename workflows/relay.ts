/**
 * Carries the event log to one receiver — a webhook subscription, or the people notified by e-mail — at least once,
 * and for each order in seq order. The cursor and the events waiting for a retry live in this workflow, so a crash of
 * any process loses nothing: the worker that picks the workflow up again goes on where it stood.
 *
 * Each order has its own queue: a failing event holds back only the later events of its own order (retried with
 * growing delays until `giveUpAfterMs`, then marked failed), while other orders' events keep flowing.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewActivities } from '../activities';
import {
  type PendingItem,
  type RelayInput,
  relayRedeliverSignal,
  relayWakeSignal,
} from './relay-messages';

const { relayFetch, relayDeliver, relayGiveUp } = proxyLocalActivities<ReviewActivities>({
  // A chain of deliveries to a slow receiver (15 s each at most) may take minutes; the SDK keeps the task alive.
  startToCloseTimeout: '10m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Start a new run once the history grows this long (the state is small: a cursor and the waiting events). */
const MAX_HISTORY_EVENTS = 4_000;

export async function eventRelayWorkflow(input: RelayInput): Promise<void> {
  const { relay, options } = input;
  let cursor = input.state?.cursor ?? null;
  const queues = new Map<string, PendingItem[]>(input.state?.queues ?? []);
  let woken = false;

  setHandler(relayWakeSignal, () => {
    woken = true;
  });
  setHandler(relayRedeliverSignal, ({ eventId, pos }) => {
    // A manual redelivery goes on its own, so it never waits behind (or holds up) its order's queue.
    const key = `manual:${eventId}`;
    if (!queues.has(key)) queues.set(key, [{ pos, eventId, failures: 0, firstFailedAt: null, nextAt: null }]);
    woken = true;
  });

  const queued = () => [...queues.values()].reduce((n, q) => n + q.length, 0);
  /** Everything at or before this position is delivered (or given up): where a restarted relay resumes. */
  const checkpoint = () => {
    let min = Infinity;
    for (const q of queues.values()) for (const item of q) min = Math.min(min, item.pos - 1);
    return Math.min(min, cursor ?? 0);
  };
  const backoff = (failures: number) => Math.min(options.retry.maxMs, options.retry.initialMs * options.retry.factor ** (failures - 1));

  for (;;) {
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eventRelayWorkflow>({ relay, options, state: { cursor, queues: [...queues.entries()] } });
    }
    woken = false;
    if (queued() < options.maxQueued) {
      const fetched = await relayFetch({ relay, afterPos: cursor, limit: options.batchSize });
      if (!fetched.active) return; // the subscription was deleted
      for (const item of fetched.items) {
        const q = queues.get(item.key) ?? [];
        q.push({ pos: item.pos, eventId: item.eventId, failures: 0, firstFailedAt: null, nextAt: null });
        queues.set(item.key, q);
      }
      cursor = fetched.scannedTo;
      if (fetched.items.length === options.batchSize) woken = true; // more is waiting in the log
    }

    const now = Date.now();
    const chains = [...queues.entries()]
      .filter(([, q]) => q.length > 0 && (q[0]!.nextAt === null || q[0]!.nextAt <= now))
      .map(([key, q]) => ({ key, items: q.slice(0, options.chainLength).map(({ pos, eventId }) => ({ pos, eventId })) }));

    if (chains.length > 0) {
      const { outcomes } = await relayDeliver({ relay, chains, checkpoint: checkpoint() });
      const at = Date.now();
      const okIds = new Set(outcomes.filter((o) => o.ok).map((o) => o.eventId));
      const failedIds = new Set(outcomes.filter((o) => !o.ok).map((o) => o.eventId));
      for (const { key } of chains) {
        const q = queues.get(key)!;
        while (q.length > 0 && okIds.has(q[0]!.eventId)) q.shift();
        const head = q[0];
        if (head && failedIds.has(head.eventId)) {
          head.failures += 1;
          head.firstFailedAt ??= at;
          if (at - head.firstFailedAt >= options.retry.giveUpAfterMs) {
            await relayGiveUp({ relay, eventId: head.eventId, failures: head.failures });
            q.shift();
          } else {
            head.nextAt = at + backoff(head.failures);
          }
        }
        if (q.length === 0) queues.delete(key);
      }
      continue;
    }

    if (woken) continue;
    const heads = [...queues.values()].map((q) => q[0]?.nextAt).filter((t): t is number => typeof t === 'number');
    const wait = heads.length > 0 ? Math.max(1, Math.min(...heads) - Date.now()) : options.pollMs;
    await condition(() => woken, Math.min(wait, options.pollMs));
  }
}
