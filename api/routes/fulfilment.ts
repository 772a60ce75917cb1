/** Fulfilment feedback after approval (contract section 9): the company's ERP reports what happened to an order. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../plugins/auth';
import { authProblems, problemResponses } from '../schemas/common';
import { fulfilmentBody } from '../schemas/fulfilment';
import { orderParams, orderView } from '../schemas/orders';
import { orderViewOf, recordFulfilment } from '../services/fulfilment';
import { stateOf, visibleOrder } from '../services/orders';

const fulfilmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/orders/:orderId/fulfilment',
    {
      config: { roles: ['erp', 'admin'] },
      schema: {
        tags: ['orders'],
        summary: 'Report production, shipment, delivery, invoice, closing or an after-sales case of an approved order',
        description:
          'Idempotent by (orderId, event, reference): a new report answers 201, the same report again 200 with no second effect, ' +
          'another body under the same key 409. `shipped` consumes the shipped part of the reservation and uses its booked hours ' +
          '(`lines` for a partial shipment; default everything not shipped yet); `invoiced` takes the order out of the credit ' +
          'exposure; `closed` releases what it still holds. 409 unless the order is approved; 422 for more than was ordered.',
        params: orderParams,
        body: fulfilmentBody,
        response: { 200: orderView, 201: orderView, ...problemResponses(400, 404, 409, 422), ...authProblems },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      const principal = principalOf(request);
      const { created, logged } = recordFulfilment(app.db, principal, orderId, request.body);
      if (logged > 0) app.relayWaker?.poke();
      reply.code(created ? 201 : 200);
      return orderViewOf(app.db, stateOf(visibleOrder(app.db, principal, orderId)));
    },
  );
};

export default fulfilmentRoutes;
