/**
 * The customer's tracking page (contract section 8). The submitting integrator makes (and revokes) the link; the
 * page and its JSON need no account — the unguessable token is the credential — and show nothing internal.
 */
import type { FastifyInstance } from 'fastify';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicUrlOf } from '../../config';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { authProblems, isoTimestamp, problemResponses } from '../schemas/common';
import { orderParams } from '../schemas/orders';
import { renderTrackingPage } from '../services/tracking-page';
import { orderOfToken, revokeTrackingLink, trackingLinkFor, trackingView } from '../services/tracking';
import { visibleOrder } from '../services/orders';

const tokenParams = z.object({ token: z.string().max(200) });
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

const trackingLink = z.object({ url: z.string(), token: z.string().describe('the unguessable part of the URL') });
const stage = z.object({
  key: z.string(),
  label: z.string(),
  at: isoTimestamp.nullable(),
  done: z.boolean(),
  note: z.string().optional().describe("for 'needs your changes': what the reviewer asked for"),
});
export const trackingViewSchema = z
  .object({
    orderId: z.string(),
    status: z.string(),
    statusText: z.string(),
    lines: z.array(z.object({ product: z.string(), quantity: z.number().int() })),
    total: z.string(),
    currency: z.string(),
    requestedDeliveryDate: z.string(),
    plannedCompletionDate: z.string().nullable(),
    stages: z.array(stage),
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Tracking' });

/** The tracked order of a token, or a 404 that says nothing about why (unknown, revoked, malformed look the same). */
function trackedOrder(app: FastifyInstance, token: string) {
  const order = TOKEN.test(token) ? orderOfToken(app.db, token) : undefined;
  if (!order) throw problems.notFound('no such tracking link');
  return order;
}

/** Under /v1: make and revoke links (the submitter), and the page's JSON (anyone with the token). */
export const trackingApiRoutes: FastifyPluginAsyncZod = async (app) => {
  const own = (request: Parameters<typeof principalOf>[0], orderId: string) => {
    const principal = principalOf(request);
    const order = visibleOrder(app.db, principal, orderId);
    if (order.submittedBy !== principal.id) throw problems.forbidden(`only the integrator that submitted order ${orderId} may share its tracking page`);
    return { principal, order };
  };

  app.post(
    '/orders/:orderId/tracking-link',
    {
      config: { roles: ['integrator'] },
      schema: {
        tags: ['orders'],
        summary: "The link to the order's tracking page for its customer (the same link again while it is active)",
        params: orderParams,
        response: { 200: trackingLink, 201: trackingLink, ...problemResponses(400, 404), ...authProblems },
      },
    },
    async (request, reply) => {
      const { principal, order } = own(request, request.params.orderId);
      const { token, created } = trackingLinkFor(app.db, app.secrets, order.orderId, principal.id);
      reply.code(created ? 201 : 200).header('cache-control', 'no-store');
      return { url: `${publicUrlOf(app.appConfig)}/track/${token}`, token };
    },
  );

  app.delete(
    '/orders/:orderId/tracking-link',
    {
      config: { roles: ['integrator'] },
      schema: {
        tags: ['orders'],
        summary: 'Revoke the tracking link: it answers 404 from now on',
        params: orderParams,
        response: { 204: z.null().describe('revoked'), ...problemResponses(400, 404), ...authProblems },
      },
    },
    async (request, reply) => {
      const { order } = own(request, request.params.orderId);
      if (!revokeTrackingLink(app.db, order.orderId)) throw problems.notFound(`order ${order.orderId} has no active tracking link`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/track/:token',
    {
      config: { public: true },
      schema: {
        tags: ['orders'],
        summary: "The tracking page's data, for the order's customer (no account: the token is the credential)",
        security: [],
        params: tokenParams,
        response: { 200: trackingViewSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      return trackingView(app.db, trackedOrder(app, request.params.token));
    },
  );
};

/** The HTML page at /track/{token}: no script, its own strict CSP, never cached, never indexed. */
export const trackingPageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/track/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
    const html = renderTrackingPage(trackingView(app.db, trackedOrder(app, request.params.token)));
    return reply
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .type('text/html; charset=utf-8')
      .send(html);
  });
};
