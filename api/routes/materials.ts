/** Materials: stock on hand, and what active reservations hold of it. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeCursor, page } from '../pagination';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { MASTER_DATA_READERS, MASTER_DATA_WRITE_NOTE, MASTER_DATA_WRITERS } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { listQuery, materialBody, materialList, materialListQuery, materialParams, materialView, versionList } from '../schemas/master-data';
import { getMaterial, listMaterials, putMaterial, recordVersions } from '../services/master-data';

const tags = ['master data'];

const materialRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/materials/:materialId',
    {
      config: { roles: MASTER_DATA_WRITERS },
      schema: {
        tags,
        summary: 'Create or replace a material (reservations are kept)',
        description: MASTER_DATA_WRITE_NOTE,
        params: materialParams,
        body: materialBody,
        response: { 200: materialView, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => {
      const { material, logged } = putMaterial(app.db, request.params.materialId, request.body, principalOf(request).id);
      if (logged > 0) app.relayWaker?.poke();
      return material;
    },
  );

  app.get(
    '/materials/:materialId',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: {
        tags,
        summary: 'Read a material with reserved and available stock',
        params: materialParams,
        response: { 200: materialView, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => {
      const m = getMaterial(app.db, request.params.materialId);
      if (!m) throw problems.notFound(`material ${request.params.materialId} not found`);
      return m;
    },
  );

  app.get(
    '/materials/:materialId/versions',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: {
        tags,
        summary: "A material's versions: who changed what, when",
        params: materialParams,
        response: { 200: versionList, ...problemResponses(404), ...authProblems },
      },
    },
    async (request) => {
      const v = recordVersions(app.db, 'material', request.params.materialId);
      if (!v) throw problems.notFound(`material ${request.params.materialId} not found`);
      return v;
    },
  );

  app.get(
    '/materials',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: {
        tags,
        summary: 'List materials by id (belowReorderPoint=true: those below their reorder point)',
        querystring: materialListQuery,
        response: { 200: materialList, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => {
      const { limit, cursor, belowReorderPoint } = request.query;
      const after = cursor ? String(decodeCursor(cursor, 1)[0]) : undefined;
      const p = page(listMaterials(app.db, limit, after, { belowReorderPoint }), limit, (m) => [m.materialId]);
      return { items: p.rows, nextCursor: p.nextCursor };
    },
  );
};

export default materialRoutes;
