/**
 * The worker's figures: activity executions by type and outcome (an activity interceptor), webhook deliveries by
 * result and their lag, notifications by result (the relay activities report them as they record them), the
 * process's own; plus the Temporal SDK's metrics, which its Runtime exports on an internal loopback port
 * (telemetry/runtime.ts) and `text()` appends. Served by `serveMetrics` on WORKER_METRICS_PORT, or, under npm start
 * (one process), by the API's /metrics.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { RelayObserver } from '../activities/relay';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRICS_CONTENT_TYPE, metricsAccess, processRegistry } from './metrics';


export interface WorkerMetrics {
  /** Counts every activity execution and puts the order id (and its submitter) on the activity's log lines. */
  activityInterceptor(orderPrincipal?: (orderId: string) => string | undefined): ActivityInterceptorsFactory;
  relay: RelayObserver;
  /**
   * The exposition text: our registry, the process's (unless `process: false`: another registry of this process
   * already has them), and the SDK's (when its exporter runs).
   */
  text(opts?: { process?: boolean }): Promise<string>;
}

const ORDER_WORKFLOW_PREFIX = 'order-';
const SDK_SCRAPE_TIMEOUT_MS = 2_000;

function outcomeOf(err: unknown): string {
  if (err instanceof CancelledFailure || (err instanceof Error && err.name === 'AbortError')) return 'cancelled';
  // A benign failure is an expected business answer, not a fault an operator should be paged for.
  if (err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN) return 'benign_failure';
  return 'failed';
}

export function createWorkerMetrics(opts: { sdkMetricsUrl?: string } = {}): WorkerMetrics {
  const registry = new Registry();
  const activities = new Counter({
    name: 'order_review_activity_executions_total',
    help: 'Activity executions (attempts) by activity type and outcome',
    labelNames: ['activity', 'outcome'],
    registers: [registry],
  });
  const activitySeconds = new Histogram({
    name: 'order_review_activity_duration_seconds',
    help: 'How long activity attempts took, by activity type',
    labelNames: ['activity'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'order_review_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result (delivered, failed, refused, gave_up)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'order_review_webhook_delivery_lag_seconds',
    help: 'From an event to the answer of its delivery attempt',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'order_review_notifications_total',
    help: 'Notification mails by result (sent, logged without SMTP, failed)',
    labelNames: ['status'],
    registers: [registry],
  });
  // Series that exist from the start: a rate() over a counter that appears only at its first increment misses it.
  for (const outcome of ['delivered', 'failed', 'refused', 'gave_up']) deliveries.inc({ outcome }, 0);
  for (const status of ['sent', 'logged', 'failed', 'gave_up']) notifications.inc({ status }, 0);

  return {
    activityInterceptor(orderPrincipal) {
      return (ctx) => {
        const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
        const orderId = !workflowId.startsWith(ORDER_WORKFLOW_PREFIX) ? undefined : workflowId.slice(ORDER_WORKFLOW_PREFIX.length);
        let principal: string | undefined | null = null;
        const activity = ctx.info.activityType;
        return {
          inbound: {
            async execute(input, next) {
              const end = activitySeconds.startTimer({ activity });
              try {
                const result = await next(input);
                activities.inc({ activity, outcome: 'completed' });
                return result;
              } catch (err) {
                activities.inc({ activity, outcome: outcomeOf(err) });
                throw err;
              } finally {
                end();
              }
            },
          },
          outbound: {
            getLogAttributes(attrs, next) {
              if (!orderId) return next(attrs);
              // Looked up once per attempt, on its first log line (a primary-key read).
              if (principal === null) principal = orderPrincipal?.(orderId);
              return next({ ...attrs, orderId, ...(principal ? { principal } : {}) });
            },
          },
        };
      };
    },
    relay: {
      webhookDelivery(outcome, lagMs) {
        deliveries.inc({ outcome });
        if (lagMs !== null) lag.observe({ outcome }, lagMs / 1000);
      },
      notification(status) {
        notifications.inc({ status });
      },
    },
    async text({ process = true } = {}) {
      const own = await (process ? Registry.merge([processRegistry(), registry]) : registry).metrics();
      if (!opts.sdkMetricsUrl) return own;
      let sdk: string;
      try {
        const res = await fetch(opts.sdkMetricsUrl, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
        sdk = res.ok ? await res.text() : `# the Temporal SDK's exporter answered ${res.status}\n`;
      } catch (err) {
        sdk = `# the Temporal SDK's exporter did not answer: ${err instanceof Error ? err.message : String(err)}\n`;
      }
      return `${own}\n${sdk}`;
    },
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** A bare HTTP server with one route, GET /metrics, under the same access rule as the API's (METRICS_TOKEN). */
export async function serveMetrics(opts: { host: string; port: number; token: string | undefined; text: () => Promise<string>; log: Logger }): Promise<MetricsServer> {
  const problem = (res: http.ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void => {
    const type = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : status === 405 ? 'method-not-allowed' : 'not-found';
    res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
    res.end(JSON.stringify({ type, title: http.STATUS_CODES[status], status, detail }));
  };
  const server = http.createServer((req, res) => {
    // Not `new URL(req.url)`: a request target Node's parser accepts (`GET http://[ HTTP/1.1`) makes it throw, and an
    // exception here would end the worker.
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== '/metrics') return problem(res, 404, 'only /metrics is served here');
    if (req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 405, 'GET /metrics', { allow: 'GET, HEAD' });
    const access = metricsAccess({ token: opts.token, authorization: req.headers.authorization, remoteAddress: req.socket.remoteAddress });
    if (!access.ok) {
      return problem(res, access.status, access.detail, access.status === 401 ? { 'www-authenticate': 'Bearer realm="order-review"' } : {});
    }
    opts.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        opts.log.error({ err }, 'collecting the worker metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  // Scrapers keep connections alive; do not let one hold up the worker's shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => {
      const where = `${opts.host}:${opts.port}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`cannot serve the worker metrics on ${where}: the address is already in use (set WORKER_METRICS_PORT, or 0 for a free port)`)
          : new Error(`cannot serve the worker metrics on ${where}: ${err.message}`),
      );
    };
    server.once('error', failed);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
