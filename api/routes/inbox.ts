/** The approver's inbox: steps awaiting a decision from one of the caller's departments, most urgent first. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../plugins/auth';
import { authProblems, problemResponses } from '../schemas/common';
import { inboxList, inboxQuery } from '../schemas/orders';
import { listInbox } from '../services/orders';

const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/inbox',
    {
      config: { roles: ['approver'] },
      schema: {
        tags: ['orders'],
        summary: "Steps awaiting your departments' decision",
        description: 'Management also sees every escalated step. Order: urgent first, then escalated, then earliest due.',
        querystring: inboxQuery,
        response: { 200: inboxList, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => listInbox(app.db, principalOf(request), request.query),
  );
};

export default inboxRoutes;
