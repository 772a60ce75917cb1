/** The approver's inbox: steps awaiting a decision from one of the caller's departments, most urgent first. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../plugins/auth';
import { authProblems, problemResponses } from '../schemas/common';
import { inboxList, inboxQuery } from '../schemas/orders';
import { effectiveActor } from '../services/delegation';
import { listInbox } from '../services/orders';

const inboxRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/inbox',
    {
      config: { roles: ['approver'] },
      schema: {
        tags: ['orders'],
        summary: "Steps awaiting your departments' decision",
        description:
          "Your departments' waiting steps (and those of colleagues who delegated to you); management also sees every escalated " +
          'step. Order: urgent first, then escalated, then by rank — the due time moved earlier for VIP and key customers and ' +
          'high-value orders; each item says why in priorityReasons.',
        querystring: inboxQuery,
        response: { 200: inboxList, ...problemResponses(400), ...authProblems },
      },
    },
    // The caller's own departments and those delegated to it now.
    async (request) => listInbox(app.db, effectiveActor(app.db, principalOf(request)).actor.departments, request.query),
  );
};

export default inboxRoutes;
