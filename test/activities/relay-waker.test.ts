/**
 * The relay waker against a temp database and a Temporal client that is never reached: a poke whose timer fires
 * after shutdown closed the database must not crash the process (npm start's port-clash exit once died this way).
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createRelayWaker } from '../../activities/relay-waker';
import { closeDatabase } from '../../db/client';
import { createTestDb } from '../helpers/fixtures';

const unreachable = {
  workflow: {
    signalWithStart: () => Promise.reject(new Error('no Temporal in this test')),
  },
} as unknown as Client;

describe('relay waker', () => {
  it('a wake-up due after the database closed is logged, not thrown', async () => {
    const db = createTestDb();
    const warnings: string[] = [];
    const waker = createRelayWaker({ db, temporal: unreachable, taskQueue: 'q', debounceMs: 5, log: { warn: (_o, msg) => warnings.push(msg) } });
    waker.poke();
    closeDatabase(db);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings).toEqual([expect.stringMatching(/could not list the event relays/)]);
    await waker.close();
  });

  it('after close, a poke schedules nothing', async () => {
    const db = createTestDb();
    const warnings: string[] = [];
    const waker = createRelayWaker({ db, temporal: unreachable, taskQueue: 'q', debounceMs: 5, log: { warn: (_o, msg) => warnings.push(msg) } });
    await waker.close();
    waker.poke();
    closeDatabase(db);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warnings).toEqual([]);
  });
});
