/**
 * At start, in the background: computes the KPI facts rows (db/kpi-facts.ts) of every order that has none — a
 * database from before the rows existed — or has one made by older rules (ORDER_FACTS_VERSION moved). Without it the
 * first report of each period would compute its rows inside the request, synchronously: about 0.7 s per 8,000 orders
 * with every other request of the process waiting (a year of 100,000 orders: seconds). Here it goes 200 orders at a
 * time and lets the event loop answer requests between steps. A report that comes first still computes what is
 * missing of its own period, so it is right either way; a no-op pass over the ids once every row is current.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { backfillKpiFactsAfter } from '../../db/kpi-facts';

export interface KpiFactsBackfillOptions {
  /** Orders looked at per step; default 200. */
  batch?: number;
}

async function kpiFactsBackfill(app: FastifyInstance, opts: KpiFactsBackfillOptions): Promise<void> {
  let run: Promise<void> | undefined;
  let stopped = false;
  app.addHook('onReady', async () => {
    run = (async () => {
      let after = '';
      let refreshed = 0;
      const started = Date.now();
      for (;;) {
        // setImmediate: requests that arrived meanwhile are read and answered before the next step.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (stopped) return;
        const step = backfillKpiFactsAfter(app.db, after, opts.batch ?? 200);
        refreshed += step.refreshed;
        if (step.next === null) break;
        after = step.next;
      }
      if (refreshed > 0) app.log.info({ orders: refreshed, ms: Date.now() - started }, 'computed the KPI facts rows of orders that had none or older ones');
    })().catch((err: unknown) => app.log.warn({ err }, 'KPI facts backfill failed; reports compute missing rows themselves, and it runs again at the next start'));
  });
  app.addHook('onClose', async () => {
    stopped = true;
    await run;
  });
}

export default fp(kpiFactsBackfill, { name: 'kpi-facts-backfill' });
