/**
 * Orders: submit, read, list, decide a step, amend, cancel. Each handler validates (zod), is authorised by its
 * declared roles plus the visibility rule, and makes one intake or Temporal call through a service.
 */
import { stringify } from 'csv-stringify/sync';
import type { FastifyRequest } from 'fastify';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Principal } from '../../db/principals';
import { parseMoney } from '../../domain/money';
import { normaliseRequest } from '../../domain/order';
import { sendCsv, wantsCsv } from '../csv';
import { amendUpdate, cancelUpdate } from '../../workflows/messages';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { actorOf, departmentsOf, hasRole } from '../roles';
import { authProblems, jsonOrCsv, problemResponses } from '../schemas/common';
import {
  amendOrderBody,
  cancelBody,
  decisionBody,
  decisionParams,
  idempotencyHeaders,
  ORDER_CSV_COLUMNS,
  ORDER_PAGE_MAX,
  orderList,
  orderListQuery,
  orderParams,
  orderView,
  submitOrderBody,
} from '../schemas/orders';
import { type IntakeDeps, resolveOrder, submitOrder } from '../services/intake';
import { orderViewOf } from '../services/fulfilment';
import { applyOrderUpdate } from '../services/order-updates';
import { listOrders, type OrderRecord, stateAfterUpdate, stateOf, visibleOrder } from '../services/orders';
import { decideStep, updateIdFor } from '../services/step-actions';
import { boundMs, zoneOf } from '../services/period';

const tags = ['orders'];

const orderRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = (request: FastifyRequest): IntakeDeps => ({
    db: app.db,
    temporal: app.temporal,
    config: app.appConfig,
    policy: app.policy,
    log: request.log,
    searchAttributes: app.temporalFeatures.searchAttributes,
  });

  /** With an Idempotency-Key: the order's state if the Update of that key already took effect (it is in the log). */
  const repeatOf = (orderId: string, key: string | undefined, updateId: string) => () =>
    key ? stateAfterUpdate(app.db, orderId, updateId) : undefined;

  /** The order for a change only its submitter may make; others learn nothing they could not already read. */
  const ownOrder = (principal: Principal, orderId: string, what: string): OrderRecord => {
    const row = visibleOrder(app.db, principal, orderId);
    if (row.submittedBy !== principal.id && !(what === 'cancel' && hasRole(principal, 'admin'))) {
      throw problems.forbidden(`only the integrator that submitted order ${orderId}${what === 'cancel' ? ' or an admin' : ''} may ${what} it`);
    }
    return row;
  };

  app.post(
    '/orders',
    {
      config: { roles: ['integrator'] },
      schema: {
        tags,
        summary: 'Submit an order for review (idempotent by orderId)',
        description:
          'A new order answers 201. The same orderId with the same body answers 200 with the order as it is now; with a different body, 409. ' +
          "paymentTerms, currency and shipTo may be left out: they are filled from the customer's defaults and listed in the order's filledFromCustomer " +
          '(422 naming the field when the customer has no default). With repeatOf, the lines of that earlier order (same customer, submitted by the caller; ' +
          "404 otherwise) are copied at today's list prices. Unknown customer or SKU: 422, and nothing is stored.",
        body: submitOrderBody,
        response: { 200: orderView, 201: orderView, ...problemResponses(400, 409, 422, 503), ...authProblems },
      },
    },
    async (request, reply) => {
      const result = await submitOrder(deps(request), principalOf(request), request.body);
      if (result.created) reply.code(201).header('location', `/v1/orders/${encodeURIComponent(result.state.orderId)}`);
      return orderViewOf(app.db, result.state);
    },
  );

  app.get(
    '/orders/:orderId',
    {
      config: { roles: ['integrator', 'approver', 'auditor', 'admin', 'erp'] },
      schema: {
        tags,
        summary: 'Read an order and its review',
        description: 'An integrator sees only the orders it submitted (404 for others).',
        params: orderParams,
        response: { 200: orderView, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => orderViewOf(app.db, stateOf(visibleOrder(app.db, principalOf(request), request.params.orderId))),
  );

  app.get(
    '/orders',
    {
      config: { roles: ['integrator', 'approver', 'auditor', 'admin', 'erp'] },
      schema: {
        tags,
        summary: 'List and search orders, newest first (JSON, or CSV with Accept: text/csv or format=csv)',
        description:
          'An integrator lists only its own orders; approvers, auditors, admins and erp list all. Every filter given must hold. ' +
          '`awaiting` takes a step or a department. Keyset pagination: pass nextCursor as cursor (for CSV it is in the `Link` ' +
          'header, rel="next", and in `X-Next-Cursor`). limit: at most 200 as JSON, 5000 as CSV.',
        querystring: orderListQuery,
        response: { 200: jsonOrCsv(orderList, 'A page of orders'), ...problemResponses(400), ...authProblems },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const csv = wantsCsv(request, q.format);
      if (!csv && q.limit > ORDER_PAGE_MAX.json) {
        throw problems.badRequest('limit is too large', [{ path: 'limit', message: `must be at most ${ORDER_PAGE_MAX.json} (${ORDER_PAGE_MAX.csv} as CSV)` }]);
      }
      const zone = zoneOf(app.policy);
      const result = listOrders(app.db, principalOf(request), {
        ...q,
        submittedFrom: q.submittedFrom ? new Date(boundMs(q.submittedFrom, zone, false)).toISOString() : undefined,
        submittedTo: q.submittedTo ? new Date(boundMs(q.submittedTo, zone, true)).toISOString() : undefined,
        minTotalMinor: q.minTotal === undefined ? undefined : parseMoney(q.minTotal),
        maxTotalMinor: q.maxTotal === undefined ? undefined : parseMoney(q.maxTotal),
      });
      reply.header('vary', 'Accept');
      if (!csv) return result;
      if (result.nextCursor) {
        const next = new URLSearchParams(request.url.split('?')[1] ?? '');
        next.set('cursor', result.nextCursor);
        reply.header('link', `</v1/orders?${next.toString()}>; rel="next"`).header('x-next-cursor', result.nextCursor);
      }
      const rows = result.items.map((o) => ({ ...o, awaiting: o.awaiting.join(' ') }));
      return sendCsv(reply, stringify(rows, { header: true, columns: [...ORDER_CSV_COLUMNS], cast: { boolean: (b) => String(b) } }), 'orders.csv');
    },
  );

  app.post(
    '/orders/:orderId/steps/:step/decision',
    {
      config: { roles: ['approver'] },
      schema: {
        tags,
        summary: "Decide a step awaiting your department's decision",
        description:
          '403: wrong department or segregation of duties. 409: the step is not awaiting a decision (the detail says why). ' +
          'With Idempotency-Key, a retry answers with the first result and never decides twice.',
        params: decisionParams,
        headers: idempotencyHeaders,
        body: decisionBody,
        response: { 200: orderView, ...problemResponses(400, 404, 409, 504), ...authProblems },
      },
    },
    async (request) => {
      const { orderId, step } = request.params;
      const { decision, comment } = request.body;
      return decideStep({ ...deps(request), onLogged: () => app.relayWaker?.poke() }, principalOf(request), {
        orderId,
        step,
        decision,
        comment: comment ?? null,
        idempotencyKey: request.headers['idempotency-key'],
      });
    },
  );

  app.post(
    '/orders/:orderId/amendments',
    {
      config: { roles: ['integrator'] },
      schema: {
        tags,
        summary: 'Amend an order (its submitter): a new revision, reviewed again from info_check',
        params: orderParams,
        headers: idempotencyHeaders,
        body: amendOrderBody,
        response: { 200: orderView, ...problemResponses(400, 404, 409, 422, 504), ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { orderId } = request.params;
      const row = ownOrder(principal, orderId, 'amend');
      const order = resolveOrder(app.db, principal, normaliseRequest(request.body, orderId));
      const key = request.headers['idempotency-key'];
      const updateId = updateIdFor('amend', principal, key);
      return applyOrderUpdate(deps(request), {
        row,
        alreadyApplied: repeatOf(orderId, key, updateId),
        send: (handle) => handle.executeUpdate(amendUpdate, { args: [{ order, actor: actorOf(principal) }], updateId }),
      });
    },
  );

  app.post(
    '/orders/:orderId/cancel',
    {
      config: { roles: ['integrator', 'admin'] },
      schema: {
        tags,
        summary: 'Cancel an order (its submitter, or an admin); holds are released',
        params: orderParams,
        headers: idempotencyHeaders,
        body: cancelBody,
        response: { 200: orderView, ...problemResponses(400, 404, 409, 504), ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { orderId } = request.params;
      const row = ownOrder(principal, orderId, 'cancel');
      const key = request.headers['idempotency-key'];
      const updateId = updateIdFor('cancel', principal, key);
      return applyOrderUpdate(deps(request), {
        row,
        alreadyApplied: repeatOf(orderId, key, updateId),
        send: (handle) => handle.executeUpdate(cancelUpdate, { args: [{ reason: request.body.reason, actor: actorOf(principal) }], updateId }),
      });
    },
  );

};

export default orderRoutes;
