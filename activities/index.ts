/**
 * All activities of the order review and the event relays, built by a factory that receives the db handle (tests
 * inject their own). The workflows import only the *type* of this object.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/client';
import { createCheckActivities } from './checks';
import { createHoldActivities } from './holds';
import { createReadModelActivities } from './read-model';
import { createRelayActivities, type RelayDeps } from './relay';

export interface ActivityOptions {
  now?: () => Date;
  /** What the event relays need (secrets, mail, the SSRF setting); without it, relay activities refuse to run. */
  relay?: Omit<RelayDeps, 'db' | 'now'>;
  /** Called after a write added events to the log (the worker wakes the relays). */
  onEventsLogged?: () => void;
}

export function createActivities(db: Db, opts: ActivityOptions = {}) {
  const deps = { db, now: opts.now ?? (() => new Date()), onEventsLogged: opts.onEventsLogged };
  const relay = opts.relay
    ? createRelayActivities({ ...opts.relay, db, now: deps.now })
    : notConfigured(createRelayActivities({} as RelayDeps));
  return {
    /**
     * Does nothing, as a regular (not local) activity: scheduling it ends the workflow task, so an Update accepted in
     * that task is in the history before the Update has any effect (workflows/handlers.ts, durable()).
     */
    async updateDurable(): Promise<void> {},
    ...createCheckActivities(deps),
    ...createHoldActivities(deps),
    ...createReadModelActivities(deps),
    ...relay,
  };
}

/** Relay activities of a worker set up without relay settings: each says so instead of failing obscurely. */
function notConfigured<T extends Record<string, unknown>>(shape: T): T {
  return Object.fromEntries(
    Object.keys(shape).map((name) => [
      name,
      async () => {
        throw ApplicationFailure.nonRetryable(`${name}: this worker was created without relay settings`, 'RELAY_NOT_CONFIGURED');
      },
    ]),
  ) as T;
}

export type ReviewActivities = ReturnType<typeof createActivities>;
