/**
 * A worker that runs everything a production worker runs — the review, the relays with real webhook POSTs and real
 * mail — wired like worker.ts (the relays are woken when events are logged), against a test app's database.
 */
import { createActivities } from '../../activities';
import { createMailer } from '../../activities/mailer';
import { createRelayWaker } from '../../activities/relay-waker';
import { publicUrlOf } from '../../config';
import type { RelayOptions } from '../../workflows/relay-messages';
import type { TestApp } from './app';
import type { TestClient } from './temporal';
import { startTestWorker } from './worker';

/** Second-scale relay timings: poll each second, retry after 200 ms doubling to 1 s. */
export const FAST_RELAYS: RelayOptions = {
  pollMs: 1_000,
  batchSize: 200,
  maxQueued: 2_000,
  chainLength: 20,
  retry: { initialMs: 200, factor: 2, maxMs: 1_000, giveUpAfterMs: 120_000 },
};

export async function startReviewWorker(ctx: TestApp, t: TestClient, relayOptions: RelayOptions = FAST_RELAYS) {
  const quiet = { warn: () => undefined };
  const waker = createRelayWaker({ db: ctx.db, temporal: t.client, taskQueue: ctx.config.taskQueue, options: relayOptions, log: quiet });
  const publicUrl = publicUrlOf(ctx.config);
  const mailer = createMailer({ smtpUrl: ctx.config.smtpUrl, from: ctx.config.smtpFrom, publicUrl }, () => undefined);
  const activities = createActivities(ctx.db, {
    relay: { secrets: ctx.app.secrets, mailer, allowPrivate: ctx.config.webhookAllowPrivate, publicUrl },
    onEventsLogged: () => waker.poke(),
  });
  const worker = await startTestWorker({ taskQueue: ctx.config.taskQueue, activities, connection: t.connection });
  waker.poke();
  return {
    async stop() {
      await waker.close();
      await worker.stop();
      mailer.close();
    },
  };
}
