/**
 * Audit (auditor, admin): an order's readable timeline, its full Temporal history, and replaying a history
 * against the current workflow code. Registered under /v1.
 */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { orderAuditTimeline } from '../services/audit';
import { fetchOrderHistory } from '../services/history';
import { HistoryInputError, historyBodySchema, parseHistory, replayHistory, workflowBundle } from '../services/replay';
import { HttpProblem, problems } from '../problem';
import { authProblems, id, isoTimestamp, problemResponses } from '../schemas/common';

const roles = ['auditor', 'admin'] as const;
const tags = ['audit'];
const MiB = 1024 * 1024;

export interface AuditRoutesOptions {
  /** Largest history accepted by POST /replay; default 20 MiB (Temporal's own history limit is 50 MiB). */
  replayBodyLimit?: number;
  /** A replay answers `deterministic: false, error: 'replay timed out'` after this long; default 30 s. */
  replayTimeoutMs?: number;
  /** How long a replay waits for the one running before it answers 503; default 2 s. */
  replayQueueWaitMs?: number;
}

const orderParams = z.object({ orderId: id });

const auditEvent = z.object({
  at: isoTimestamp,
  type: z
    .string()
    .describe(
      'submitted, check_completed, awaiting_decision, reminder, escalated, timed_out, decision, changes_requested, amended, ' +
        'holds_reserved, holds_released, outcome, decision_refused, fulfilment, …: one line per event of the order\'s log',
    ),
  step: z.string().nullable(),
  actor: z.string().describe('the principal, or "system"'),
  detail: z.record(z.string(), z.unknown()),
});

const auditTimeline = z
  .object({
    orderId: z.string(),
    source: z
      .enum(['temporal', 'archive'])
      .describe("where the order's Temporal history lives (for /history and replay): Temporal while it keeps the run, else the archive"),
    events: z.array(auditEvent),
  })
  .meta({ id: 'AuditTimeline' });

const replayVerdict = z
  .object({
    workflowId: z.string(),
    deterministic: z.boolean(),
    error: z.string().optional().describe('why the current workflow code does not reproduce the history'),
  })
  .meta({ id: 'ReplayVerdict' });

/**
 * One replay at a time per process: a replay runs the workflow code on this process's event loop, and a queue of
 * 20 MiB histories would starve every other request. Callers wait briefly for the slot, then get a 503.
 */
class ReplaySlot {
  private busy = false;
  private readonly waiters: (() => void)[] = [];

  acquire(waitMs: number): Promise<boolean> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(grant), 1);
        resolve(false);
      }, waitMs);
      this.waiters.push(grant);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.busy = false;
  }
}

const auditRoutes: FastifyPluginAsyncZod<AuditRoutesOptions> = async (app, opts) => {
  const timeoutMs = opts.replayTimeoutMs ?? 30_000;
  const queueWaitMs = opts.replayQueueWaitMs ?? 2_000;
  const slot = new ReplaySlot();
  const deps = { db: app.db, temporal: app.temporal };

  app.get(
    '/orders/:orderId/audit',
    {
      config: { roles },
      schema: {
        tags,
        summary: "An order's audit timeline",
        description:
          "Read from the order's event log (the one the workflow writes with its read model): submission, automatic checks with " +
          'their findings, reminders, escalations, timeouts, decisions with who and why, amendments, holds, the outcome, ' +
          'fulfilment, and every refused decision attempt.',
        params: orderParams,
        response: { 200: auditTimeline, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const timeline = orderAuditTimeline(app.db, orderId);
      if (!timeline) throw problems.notFound(`order ${orderId} not found, or its history is no longer available`);
      return timeline;
    },
  );

  app.get(
    '/orders/:orderId/history',
    {
      config: { roles },
      schema: {
        tags,
        summary: "An order's full Temporal event history",
        description:
          'In the form `temporal workflow show --output json` writes; POST it to /v1/replay or save it for `npm run replay`. ' +
          'The `x-history-source` header says whether it came from Temporal or the archive.',
        params: orderParams,
        response: { 200: historyBodySchema, ...problemResponses(404), ...authProblems },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      const found = await fetchOrderHistory(deps, orderId);
      if (!found) throw problems.notFound(`order ${orderId} not found, or its history is no longer available`);
      reply.header('x-history-source', found.source);
      return found.history as z.infer<typeof historyBodySchema>;
    },
  );

  app.post(
    '/replay',
    {
      config: { roles },
      bodyLimit: opts.replayBodyLimit ?? 20 * MiB,
      schema: {
        tags,
        summary: 'Replay a workflow history against the current workflow code',
        description:
          'deterministic: true when the current code makes exactly the decisions the history records; false, with the error, ' +
          'when it does not (a change that would break orders in flight, or a tampered history). Runs no workflow on any server. ' +
          '422 when the history is not of an order review workflow; 503 (Retry-After) while another replay is running.',
        body: historyBodySchema,
        response: { 200: replayVerdict, ...problemResponses(400, 413, 422, 503), ...authProblems },
      },
    },
    async (request) => {
      let parsed;
      try {
        parsed = parseHistory(request.body);
      } catch (err) {
        if (!(err instanceof HistoryInputError)) throw err;
        if (err.status === 422) throw new HttpProblem(422, err.message, { type: 'unsupported-workflow', title: 'Not an order review history', errors: err.errors });
        throw problems.badRequest(err.message, err.errors);
      }
      if (!(await slot.acquire(queueWaitMs))) throw problems.unavailable('another replay is running; retry shortly', 5);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        slot.release();
      };
      try {
        const bundle = await workflowBundle().catch((err: unknown) => {
          request.log.error({ err }, 'bundling the workflow code for replay failed');
          throw problems.unavailable('the workflow code could not be prepared for replay; retry later', 30);
        });
        const verdict = await replayHistory(parsed, { bundle, timeoutMs, onSettled: release });
        // A replay worker cannot be stopped from outside: keep the slot until it ends, but never for good.
        if (!released) setTimeout(release, timeoutMs).unref();
        if (!verdict.deterministic) request.log.info({ workflowId: verdict.workflowId, error: verdict.error }, 'replay: not deterministic');
        return verdict;
      } catch (err) {
        release();
        throw err;
      }
    },
  );
};

export default auditRoutes;
