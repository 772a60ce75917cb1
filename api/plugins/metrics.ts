/**
 * GET /metrics (contract section 11): Prometheus text with the API's request durations by route pattern and status,
 * and figures read from the read model at scrape time — orders by status, steps awaiting by department and the age
 * of the oldest waiting step. Two grouped queries on indexed tables, so a scrape costs milliseconds. Webhook and
 * notification results are counted where they happen, by the worker (its own /metrics, telemetry/worker-metrics.ts).
 */
import { count, min } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { inboxItems, orders } from '../../db/schema';
import { DEPARTMENTS, ORDER_STATUSES } from '../../domain/types';
import { METRICS_CONTENT_TYPE, metricsAccess, processRegistry } from '../../telemetry/metrics';
import { problems } from '../problem';
import { problemResponses } from '../schemas/common';

export interface MetricsOptions {
  /** METRICS_TOKEN; undefined: loopback clients only. */
  token: string | undefined;
  /** More exposition text appended to ours: the worker's, when it runs in this process (npm start). */
  extra?: () => Promise<string>;
}

/** Seconds; from a cached read (1 ms) to a decision waiting for its workflow (up to 30 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

async function metricsPlugin(app: FastifyInstance, opts: MetricsOptions): Promise<void> {
  // One registry per app, not prom-client's global one: tests build many apps in one process.
  const registry = new Registry();
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code, and how long they took',
    labelNames: ['method', 'route', 'status_code'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const ordersByStatus = new Gauge({
    name: 'order_review_orders_by_status',
    help: 'Orders in the read model by review status',
    labelNames: ['status'],
    registers: [registry],
  });
  const awaiting = new Gauge({
    name: 'order_review_steps_awaiting',
    help: 'Review steps waiting for a department decision',
    labelNames: ['department'],
    registers: [registry],
  });
  const oldest = new Gauge({
    name: 'order_review_oldest_waiting_seconds',
    help: "Age of the department's longest-waiting step (0 when nothing waits)",
    labelNames: ['department'],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (`/v1/orders/:orderId`), never the raw URL: one series per route, whatever ids are asked.
    const route = request.routeOptions.url ?? 'unmatched';
    durations.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  /** Sets the read-model gauges from two grouped queries (orders_status and inbox_queue are indexes on the keys). */
  function readModelFigures(): void {
    const byStatus = new Map(
      app.db.select({ status: orders.status, n: count() }).from(orders).groupBy(orders.status).all().map((r) => [r.status, r.n]),
    );
    for (const status of new Set([...ORDER_STATUSES, ...byStatus.keys()])) ordersByStatus.set({ status }, byStatus.get(status) ?? 0);
    const inbox = new Map(
      app.db
        .select({ department: inboxItems.department, n: count(), since: min(inboxItems.waitingSince) })
        .from(inboxItems)
        .groupBy(inboxItems.department)
        .all()
        .map((r) => [r.department, r]),
    );
    const now = Date.now();
    for (const department of new Set([...DEPARTMENTS, ...inbox.keys()])) {
      const row = inbox.get(department);
      awaiting.set({ department }, row?.n ?? 0);
      oldest.set({ department }, row?.since ? Math.max(0, (now - Date.parse(row.since)) / 1000) : 0);
    }
  }

  app.get(
    '/metrics',
    {
      // Scrapes come every few seconds from one address; failed tokens are counted below like any failed login.
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'Request durations by route and status, orders by status, steps awaiting by department, the oldest waiting ' +
          'step. With METRICS_TOKEN set, send `Authorization: Bearer <METRICS_TOKEN>`; without it, loopback clients only.',
        security: [],
        response: {
          200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
          ...problemResponses(401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const access = metricsAccess({ token: opts.token, authorization: request.headers.authorization, remoteAddress: request.socket.remoteAddress });
      if (!access.ok) {
        if (access.status === 401) {
          await app.limiters.authFailure(request);
          throw problems.unauthorized(access.detail, request.headers.authorization !== undefined);
        }
        throw problems.forbidden(access.detail);
      }
      readModelFigures();
      const text = await Registry.merge([processRegistry(), registry]).metrics();
      return reply.type(METRICS_CONTENT_TYPE).send(opts.extra ? `${text}\n${await opts.extra()}` : text);
    },
  );
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['resources', 'security'] });
