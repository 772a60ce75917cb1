/**
 * The event feed (contract section 7): the one log, oldest first, for systems that cannot receive webhooks.
 * An integrator reads only its own orders' events (never the internal ones); auditor, admin and erp read all.
 */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { queryEvents, toLoggedEvent } from '../../db/events';
import { INTERNAL_EVENT_TYPES } from '../../domain/events';
import { decodeCursor, encodeCursor } from '../pagination';
import { principalOf } from '../plugins/auth';
import { hasAnyRole } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { eventPage, eventsQuery } from '../schemas/events';

const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/events',
    {
      config: { roles: ['integrator', 'auditor', 'admin', 'erp'] },
      schema: {
        tags: ['events'],
        summary: 'Read the event log, oldest first (cursor-paged)',
        description:
          'Every change of every order you may see, in the order it was logged. Keep the last `nextCursor` and pass it as ' +
          '`after` to read on; events are never rewritten, so a cursor stays valid. Integrators see only the orders they submitted.',
        querystring: eventsQuery,
        response: { 200: eventPage, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { after, types, orderId, limit } = request.query;
      const scoped = !hasAnyRole(principal, ['auditor', 'admin', 'erp']);
      const afterPos = after === undefined ? undefined : Number(decodeCursor(after, 1)[0]);
      const rows = queryEvents(app.db, {
        afterPos,
        types,
        orderId,
        submittedBy: scoped ? principal.id : undefined,
        excludeTypes: scoped ? INTERNAL_EVENT_TYPES : undefined,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toLoggedEvent),
        nextCursor: last ? encodeCursor([last.pos]) : (after ?? null),
        hasMore: rows.length > limit,
      };
    },
  );
};

export default eventRoutes;
