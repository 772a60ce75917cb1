/** Customers: the credit limit, open balance, payment terms, hold and defaults the review checks against. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, page } from '../pagination';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { MASTER_DATA_READERS, MASTER_DATA_WRITE_NOTE, MASTER_DATA_WRITERS } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { customerBody, customerList, customerParams, customerView, listQuery, versionList } from '../schemas/master-data';
import { getCustomer, listCustomers, putCustomer, recordVersions } from '../services/master-data';

const tags = ['master data'];

const customerRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/customers/:customerId',
    {
      config: { roles: MASTER_DATA_WRITERS },
      schema: {
        tags,
        summary: 'Create or replace a customer',
        description: MASTER_DATA_WRITE_NOTE,
        params: customerParams,
        body: customerBody,
        response: { 200: customerView, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => putCustomer(app.db, request.params.customerId, request.body, principalOf(request).id),
  );

  app.get(
    '/customers/:customerId',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: { tags, summary: 'Read a customer', params: customerParams, response: { 200: customerView, ...problemResponses(404), ...authProblems } },
    },
    async (request) => {
      const c = getCustomer(app.db, request.params.customerId);
      if (!c) throw problems.notFound(`customer ${request.params.customerId} not found`);
      return c;
    },
  );

  app.get(
    '/customers/:customerId/versions',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: {
        tags,
        summary: "A customer's versions: who changed what, when",
        params: customerParams,
        response: { 200: versionList, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => {
      const v = recordVersions(app.db, 'customer', request.params.customerId);
      if (!v) throw problems.notFound(`customer ${request.params.customerId} not found`);
      return v;
    },
  );

  app.get(
    '/customers',
    { config: { roles: MASTER_DATA_READERS }, schema: { tags, summary: 'List customers by id', querystring: listQuery, response: { 200: customerList, ...authProblems } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const p = page(listCustomers(app.db, limit, after), limit, (c) => [c.customerId]);
      return { items: p.rows, nextCursor: p.nextCursor };
    },
  );
};

export default customerRoutes;
