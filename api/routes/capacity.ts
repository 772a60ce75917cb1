/** Production capacity: hours per day, and the hours active bookings hold per day. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problems } from '../problem';
import { authProblems, problemResponses } from '../schemas/common';
import { capacityBody, capacityView } from '../schemas/master-data';
import { getCapacity, putCapacity } from '../services/master-data';

const roles = ['admin', 'integrator'] as const;
const tags = ['master data'];

const capacityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/capacity',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Set the production hours per day (bookings are kept)',
        body: capacityBody,
        response: { 200: capacityView, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => putCapacity(app.db, request.body),
  );

  app.get(
    '/capacity',
    {
      config: { roles },
      schema: { tags, summary: 'Read capacity and the hours booked per day', response: { 200: capacityView, ...problemResponses(404), ...authProblems } },
    },
    async () => {
      const c = getCapacity(app.db);
      if (!c) throw problems.notFound('capacity is not configured yet: PUT /v1/capacity');
      return c;
    },
  );
};

export default capacityRoutes;
