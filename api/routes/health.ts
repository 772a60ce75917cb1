/** Liveness (the process answers) and readiness (the database and Temporal answer). */
import { sql } from 'drizzle-orm';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problem } from '../schemas/common';
import { problems } from '../problem';

const TEMPORAL_PROBE_MS = 2_000;

async function within<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: { tags: ['health'], summary: 'Liveness', security: [], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database and Temporal both answer',
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }), 503: problem },
      },
    },
    async (request) => {
      const failures: string[] = [];
      try {
        app.db.get(sql`select 1`);
      } catch (err) {
        request.log.warn({ err }, 'readiness: database check failed');
        failures.push('database');
      }
      try {
        await within(TEMPORAL_PROBE_MS, 'Temporal', () =>
          app.temporal.withDeadline(Date.now() + TEMPORAL_PROBE_MS, () => app.temporal.workflowService.getSystemInfo({})),
        );
      } catch (err) {
        request.log.warn({ err }, 'readiness: Temporal check failed');
        failures.push('Temporal');
      }
      if (failures.length > 0) throw problems.unavailable(`not ready: cannot reach ${failures.join(' and ')}`);
      return { status: 'ready' as const };
    },
  );
};

export default healthRoutes;
