/**
 * Liveness (the process answers) and readiness: the database and Temporal answer, and a worker polls the task
 * queue — without one, orders are accepted but nobody reviews them.
 */
import proto from '@temporalio/proto';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../schemas/common';
import { problems } from '../problem';

const TEMPORAL_PROBE_MS = 2_000;
/** Probes come often (load balancers, every second or so); one check answers all of them for this long. */
const READINESS_CACHE_MS = 1_500;
/**
 * A live worker always has a long poll open (the server answers an idle one after about a minute and the worker
 * polls again at once), so a poller seen within this window is alive. Temporal keeps a dead worker's poller in
 * the list for minutes, with its last access time frozen.
 */
const POLLER_FRESH_MS = 90_000;

const { TaskQueueType, TaskQueueKind } = proto.temporal.api.enums.v1;

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

function msOf(ts: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber() ?? 0);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** What is missing for readiness, in words; empty when ready. */
async function missing(app: FastifyInstance, log: FastifyBaseLogger): Promise<string[]> {
  const out: string[] = [];
  try {
    app.db.get(sql`select 1`);
  } catch (err) {
    log.warn({ err }, 'readiness: database check failed');
    out.push('cannot reach the database');
  }
  const { namespace, taskQueue } = app.appConfig;
  const service = app.temporal.workflowService;
  const deadline = () => Date.now() + TEMPORAL_PROBE_MS;
  try {
    await within(TEMPORAL_PROBE_MS, 'Temporal', () => app.temporal.withDeadline(deadline(), () => service.getSystemInfo({})));
  } catch (err) {
    log.warn({ err }, 'readiness: Temporal check failed');
    out.push('cannot reach Temporal');
    return out;
  }
  try {
    const queue = await within(TEMPORAL_PROBE_MS, 'Temporal', () =>
      app.temporal.withDeadline(deadline(), () =>
        service.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      ),
    );
    const now = Date.now();
    const live = (queue.pollers ?? []).filter((p) => now - msOf(p.lastAccessTime) < POLLER_FRESH_MS);
    if (live.length === 0) out.push(`no worker is polling task queue ${taskQueue}`);
  } catch (err) {
    log.warn({ err }, 'readiness: task queue check failed');
    out.push(`cannot describe task queue ${taskQueue}`);
  }
  return out;
}

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  // The last check and when it was made; a check in flight is shared by the probes that arrive meanwhile.
  let cached: { at: number; result: Promise<string[]> } | undefined;
  const readiness = (log: FastifyBaseLogger): Promise<string[]> => {
    if (!cached || Date.now() - cached.at > READINESS_CACHE_MS) cached = { at: Date.now(), result: missing(app, log) };
    return cached.result;
  };

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
        summary: 'Readiness: the database and Temporal answer, and a worker polls the task queue',
        description: `Checked at most every ${READINESS_CACHE_MS} ms; 503 names what is missing.`,
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }), ...problemResponses(503) },
      },
    },
    async (request) => {
      const failures = await readiness(request.log);
      if (failures.length > 0) throw problems.unavailable(`not ready: ${failures.join('; ')}`);
      return { status: 'ready' as const };
    },
  );
};

export default healthRoutes;
