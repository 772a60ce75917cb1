/** Customers: the credit limit, open balance, payment terms and hold the review checks against. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, page } from '../pagination';
import { problems } from '../problem';
import { authProblems, problemResponses } from '../schemas/common';
import { customerBody, customerList, customerParams, customerView, listQuery } from '../schemas/master-data';
import { getCustomer, listCustomers, putCustomer } from '../services/master-data';

const roles = ['admin', 'integrator'] as const;
const tags = ['master data'];

const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/customers/:customerId',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Create or replace a customer',
        params: customerParams,
        body: customerBody,
        response: { 200: customerView, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => putCustomer(app.db, request.params.customerId, request.body),
  );

  app.get(
    '/customers/:customerId',
    {
      config: { roles },
      schema: { tags, summary: 'Read a customer', params: customerParams, response: { 200: customerView, ...problemResponses(404), ...authProblems } },
    },
    async (request) => {
      const c = getCustomer(app.db, request.params.customerId);
      if (!c) throw problems.notFound(`customer ${request.params.customerId} not found`);
      return c;
    },
  );

  app.get(
    '/customers',
    { config: { roles }, schema: { tags, summary: 'List customers by id', querystring: listQuery, response: { 200: customerList, ...authProblems } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const p = page(listCustomers(app.db, limit, after), limit, (c) => [c.customerId]);
      return { items: p.rows, nextCursor: p.nextCursor };
    },
  );
};

export default customerRoutes;
