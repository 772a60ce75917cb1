/** Products: list price, production hours per unit and bill of materials. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, page } from '../pagination';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { MASTER_DATA_READERS, MASTER_DATA_WRITE_NOTE, MASTER_DATA_WRITERS } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { listQuery, productBody, productList, productParams, productView, versionList } from '../schemas/master-data';
import { getProduct, listProducts, putProduct, recordVersions } from '../services/master-data';

const tags = ['master data'];

const productRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/products/:sku',
    {
      config: { roles: MASTER_DATA_WRITERS },
      schema: {
        tags,
        summary: 'Create or replace a product and its bill of materials',
        description: `${MASTER_DATA_WRITE_NOTE} Every material of the bill must exist (PUT /v1/materials first): 422 naming the unknown ones, and nothing is stored.`,
        params: productParams,
        body: productBody,
        response: { 200: productView, ...problemResponses(400, 422), ...authProblems },
      },
    },
    async (request) => putProduct(app.db, request.params.sku, request.body, principalOf(request).id),
  );

  app.get(
    '/products/:sku',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: { tags, summary: 'Read a product', params: productParams, response: { 200: productView, ...problemResponses(404), ...authProblems } },
    },
    async (request) => {
      const p = getProduct(app.db, request.params.sku);
      if (!p) throw problems.notFound(`product ${request.params.sku} not found`);
      return p;
    },
  );

  app.get(
    '/products/:sku/versions',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: {
        tags,
        summary: "A product's versions (bill of materials included): who changed what, when",
        params: productParams,
        response: { 200: versionList, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => {
      const v = recordVersions(app.db, 'product', request.params.sku);
      if (!v) throw problems.notFound(`product ${request.params.sku} not found`);
      return v;
    },
  );

  app.get(
    '/products',
    { config: { roles: MASTER_DATA_READERS }, schema: { tags, summary: 'List products by SKU', querystring: listQuery, response: { 200: productList, ...authProblems } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const p = page(listProducts(app.db, limit, after), limit, (x) => [x.sku]);
      return { items: p.rows, nextCursor: p.nextCursor };
    },
  );
};

export default productRoutes;
