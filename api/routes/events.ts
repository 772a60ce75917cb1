/**
 * The event feed (contract section 7): the one log, oldest first, for systems that cannot receive webhooks.
 * An integrator reads only its own orders' events (never the internal ones); auditor, admin and erp read all.
 */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { queryFeedEvents } from '../../db/events';
import { INTERNAL_EVENT_TYPES } from '../../domain/events';
import { eventPageSerializerCompiler, type StoredEventPage } from '../event-page';
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
      // The page is written from the stored rows, `data` as stored (api/event-page.ts); /docs shows the same schema.
      serializerCompiler: eventPageSerializerCompiler,
    },
    async (request) => {
      const principal = principalOf(request);
      const { after, types, orderId, limit } = request.query;
      const scoped = !hasAnyRole(principal, ['auditor', 'admin', 'erp']);
      const afterPos = after === undefined ? undefined : Number(decodeCursor(after, 1)[0]);
      const rows = queryFeedEvents(app.db, {
        afterPos,
        types,
        orderId,
        submittedBy: scoped ? principal.id : undefined,
        excludeTypes: scoped ? INTERNAL_EVENT_TYPES : undefined,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const answer: StoredEventPage = {
        items: page,
        nextCursor: last ? encodeCursor([last[0]]) : (after ?? null),
        hasMore: rows.length > limit,
      };
      // The type provider expects the schema's output type; this route's serialiser takes the stored page instead.
      return answer as unknown as z.output<typeof eventPage>;
    },
  );
};

export default eventRoutes;
