/**
 * At start, in the background: logs the events of orders reviewed before the event log existed (v1.0), from their
 * histories (api/services/legacy-events.ts). A pass over what is there at start; a no-op once every order has its log.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { backfillLegacyEvents } from '../services/legacy-events';

async function legacyBackfill(app: FastifyInstance): Promise<void> {
  let run: Promise<void> | undefined;
  let stopped = false;
  app.addHook('onReady', async () => {
    run = (async () => {
      const skip = new Set<string>();
      for (;;) {
        if (stopped) return;
        const report = await backfillLegacyEvents({ db: app.db, temporal: app.temporal }, 50, skip);
        for (const id of report.nothingToLog) skip.add(id);
        if (report.backfilled.length > 0) app.log.info({ orders: report.backfilled }, 'logged the events of orders reviewed before the event log existed');
        if (report.backfilled.length === 0) return;
      }
    })().catch((err: unknown) => app.log.warn({ err }, 'legacy event backfill failed; it runs again at the next start'));
  });
  app.addHook('onClose', async () => {
    stopped = true;
    await run;
  });
}

export default fp(legacyBackfill, { name: 'legacy-backfill' });
