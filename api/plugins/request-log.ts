/**
 * Request ids and request log lines. An incoming `X-Request-Id` is kept when it is a sane token (bounded length,
 * a safe charset: it is echoed in a header and written into logs), otherwise one is made; the response carries it
 * back, and every log line of the request has it as `requestId`. One line per request when it is answered (see
 * RequestLogController).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import fp from 'fastify-plugin';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The request's id: the caller's X-Request-Id when it is safe to keep, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/**
 * Reads that come on a timer: what the console polls (api/console/public/main.js, every few seconds per open
 * console), health probes (a load balancer's, every second or so) and Prometheus scrapes. Logged at debug when they
 * succeed, so info shows what people and systems did.
 */
const POLLED = new Set(['GET /v1/inbox', 'GET /v1/orders/:orderId', 'GET /healthz', 'GET /readyz', 'GET /metrics']);

/**
 * Fastify's request lines, our way: no "incoming request" line at info (the completed line says it all), and one
 * "request completed" line with the route pattern — never the URL, whose path or query may hold a tracking token —
 * the order id and principal when there are any, at debug for polling, probes and scrapes.
 */
class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, route: request.routeOptions.url ?? null }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url;
    const status = reply.statusCode;
    const level = error || status >= 500 ? 'error' : route && status < 400 && POLLED.has(`${request.method} ${route}`) ? 'debug' : 'info';
    // The console's polling logs at debug, off in production: build no line nobody writes.
    if ((reply.log as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.(level) === false) return;
    const params = request.params as Record<string, unknown> | undefined;
    const orderId = typeof params?.orderId === 'string' ? params.orderId : undefined;
    reply.log[level](
      {
        // Not `req`/`res`: Fastify's serialisers for those keys would log the URL.
        method: request.method,
        route: route ?? null,
        statusCode: status,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
        ...(orderId ? { orderId } : {}),
        ...(request.principal ? { principal: request.principal.id } : {}),
        ...(error ? { err: error } : {}),
      },
      error ? 'request errored' : 'request completed',
    );
  }
}

/** Fastify options this plugin relies on (spread into the Fastify constructor options). */
export const requestLogOptions = {
  // false: Fastify must not take the header as is; genReqId checks it first.
  requestIdHeader: false,
  genReqId: requestIdOf,
  logController: new RequestLogController({ requestIdLogLabel: 'requestId' }),
} satisfies Partial<FastifyServerOptions>;

/** Echoes the request id on every answer, errors and 404s included. */
async function requestLog(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    return payload;
  });
}

export default fp(requestLog, { name: 'request-log' });
