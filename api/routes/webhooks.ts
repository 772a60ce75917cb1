/**
 * Webhook subscriptions and their delivery log (contract section 7). Admins subscribe to every order; an integrator
 * to its own orders only, and sees only its own subscriptions (others' are 404).
 */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../plugins/auth';
import { authProblems, problemResponses } from '../schemas/common';
import {
  createWebhookBody,
  createdWebhook,
  deliveriesQuery,
  deliveryList,
  redeliverParams,
  redeliveryAccepted,
  webhookList,
  webhookParams,
  webhookView,
} from '../schemas/webhooks';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, type WebhookDeps } from '../services/webhooks';

const roles = ['admin', 'integrator'] as const;
const tags = ['events'];

const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = (): WebhookDeps => ({
    db: app.db,
    secrets: app.secrets,
    waker: app.relayWaker,
    temporal: app.temporal,
    allowPrivate: app.appConfig.webhookAllowPrivate,
  });

  app.post(
    '/webhooks',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Subscribe a URL to events; the answer holds the signing secret, shown only this once',
        description:
          'Deliveries follow Standard Webhooks 1.0 (webhook-id, webhook-timestamp, webhook-signature), are retried with growing ' +
          'delays for at least 24 hours, and keep seq order per order. Only https:// URLs; private or loopback addresses (and ' +
          'http:// to them) only when WEBHOOK_ALLOW_PRIVATE=true.',
        body: createWebhookBody,
        response: { 201: createdWebhook, ...problemResponses(400), ...authProblems },
      },
    },
    async (request, reply) => {
      const created = await createWebhook(deps(), principalOf(request), request.body);
      reply.code(201).header('cache-control', 'no-store').header('location', `/v1/webhooks/${created.id}`);
      return created;
    },
  );

  app.get(
    '/webhooks',
    { config: { roles }, schema: { tags, summary: 'List your webhook subscriptions (never their secrets)', response: { 200: webhookList, ...authProblems } } },
    async (request) => ({ items: listWebhooks(app.db, principalOf(request)) }),
  );

  app.get(
    '/webhooks/:webhookId',
    {
      config: { roles },
      schema: { tags, summary: 'Read a webhook subscription', params: webhookParams, response: { 200: webhookView, ...problemResponses(400, 404), ...authProblems } },
    },
    async (request) => getWebhook(app.db, principalOf(request), request.params.webhookId),
  );

  app.delete(
    '/webhooks/:webhookId',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Delete a webhook subscription; its deliveries stop',
        params: webhookParams,
        response: { 204: z.null().describe('deleted'), ...problemResponses(400, 404), ...authProblems },
      },
    },
    async (request, reply) => {
      await deleteWebhook(deps(), principalOf(request), request.params.webhookId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/webhooks/:webhookId/deliveries',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'The delivery log: every attempt, newest first',
        params: webhookParams,
        querystring: deliveriesQuery,
        response: { 200: deliveryList, ...problemResponses(400, 404), ...authProblems },
      },
    },
    async (request) => listDeliveries(app.db, principalOf(request), request.params.webhookId, request.query),
  );

  app.post(
    '/webhooks/:webhookId/deliveries/:eventId/retry',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Deliver an event again',
        description: 'Queued at once; the attempt shows in the delivery log. The event keeps its webhook-id.',
        params: redeliverParams,
        response: { 202: redeliveryAccepted, ...problemResponses(400, 404), ...authProblems },
      },
    },
    async (request, reply) => {
      const res = await redeliver(deps(), principalOf(request), request.params.webhookId, request.params.eventId);
      return reply.code(202).send(res);
    },
  );
};

export default webhookRoutes;
