/** Production capacity: hours per day, and the hours active bookings hold per day. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { MASTER_DATA_READERS, MASTER_DATA_WRITE_NOTE, MASTER_DATA_WRITERS } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { capacityBody, capacityView, versionList } from '../schemas/master-data';
import { getCapacity, putCapacity, recordVersions } from '../services/master-data';

const tags = ['master data'];

const capacityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/capacity',
    {
      config: { roles: MASTER_DATA_WRITERS },
      schema: {
        tags,
        summary: 'Set the production hours per day (bookings are kept)',
        description: MASTER_DATA_WRITE_NOTE,
        body: capacityBody,
        response: { 200: capacityView, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => putCapacity(app.db, request.body, principalOf(request).id),
  );

  app.get(
    '/capacity',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: { tags, summary: 'Read capacity and the hours booked per day', response: { 200: capacityView, ...problemResponses(404), ...authProblems } },
    },
    async () => {
      const c = getCapacity(app.db);
      if (!c) throw problems.notFound('capacity is not configured yet: PUT /v1/capacity');
      return c;
    },
  );

  app.get(
    '/capacity/versions',
    {
      config: { roles: MASTER_DATA_READERS },
      schema: { tags, summary: "The capacity settings' versions: who changed what, when", response: { 200: versionList, ...problemResponses(404), ...authProblems } },
    },
    async () => {
      const v = recordVersions(app.db, 'capacity', 'capacity');
      if (!v) throw problems.notFound('capacity is not configured yet: PUT /v1/capacity');
      return v;
    },
  );
};

export default capacityRoutes;
