/**
 * Wakes the relay workflows when new events are in the log, so a webhook or a mail goes out within moments instead
 * of at the relay's next poll. Pokes within a short window are batched into one signal per relay. A wake-up lost in
 * a crash costs nothing but time: each relay also reads the log on its own every `pollMs`, and a process that starts
 * wakes every relay once.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import {
  DEFAULT_RELAY_OPTIONS,
  RELAY_WORKFLOW_TYPE,
  type RelayInput,
  type RelayOptions,
  type RelayRef,
  relayWakeSignal,
  relayWorkflowId,
} from '../workflows/relay-messages';
import { activeRelays, ensureRelayCheckpoint } from './relay';

export interface RelayWaker {
  /** New events were logged. */
  poke(): void;
  /** Starts the relay (if it is not running) and wakes it now. */
  wake(relay: RelayRef): Promise<void>;
  close(): Promise<void>;
}

export interface RelayWakerDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  options?: RelayOptions;
  debounceMs?: number;
  log: { warn(obj: object, msg: string): void };
}

export function createRelayWaker(deps: RelayWakerDeps): RelayWaker {
  const options = deps.options ?? DEFAULT_RELAY_OPTIONS;
  // The mail relay carries what is logged from this process's start on, however late its workflow first reads.
  ensureRelayCheckpoint(deps.db, { kind: 'mail', scope: deps.taskQueue });
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let closed = false;

  const wake = async (relay: RelayRef): Promise<void> => {
    const input: RelayInput = { relay, options };
    // signalWithStart: a relay that is not running (new, or ended) is started, resuming from its checkpoint.
    await deps.temporal.workflow.signalWithStart(RELAY_WORKFLOW_TYPE, {
      workflowId: relayWorkflowId(relay),
      taskQueue: deps.taskQueue,
      args: [input],
      signal: relayWakeSignal,
      signalArgs: [],
    });
  };

  const flush = async (): Promise<void> => {
    timer = undefined;
    if (closed) return;
    let relays: RelayRef[];
    try {
      relays = activeRelays(deps.db, deps.taskQueue);
    } catch (err) {
      // Only a database closed under us (a shutdown racing the timer) gets here; a wake-up is never worth a crash.
      deps.log.warn({ err }, 'could not list the event relays to wake; each reads the log on its own shortly');
      return;
    }
    for (const relay of relays) {
      if (closed) return;
      try {
        await wake(relay);
      } catch (err) {
        deps.log.warn({ err, relay }, 'could not wake an event relay; it reads the log on its own shortly');
      }
    }
  };

  return {
    poke() {
      if (closed || timer) return;
      timer = setTimeout(() => {
        inFlight = flush().finally(() => {
          inFlight = undefined;
        });
      }, deps.debounceMs ?? 25);
      timer.unref();
    },
    wake,
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
