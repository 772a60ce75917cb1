/** Notifications sent (or logged, or failed) to people, for admins and auditors (contract section 8). */
import { and, desc, eq, lt } from 'drizzle-orm';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notifications } from '../../db/schema';
import { decodeCursor, page } from '../pagination';
import { authProblems, id, isoTimestamp, nextCursor, pageQuery, problemResponses } from '../schemas/common';

const notificationView = z.object({
  id: z.number().int(),
  eventId: z.string(),
  orderId: z.string().nullable(),
  recipient: z.string().describe('the principal told'),
  email: z.string(),
  kind: z.string().describe('step_awaiting, step_reminded, step_escalated, below_reorder_point'),
  subject: z.string(),
  status: z.enum(['sent', 'failed', 'logged', 'gave_up']).describe('logged: no SMTP_URL is set, so it went to the log'),
  attempts: z.number().int(),
  error: z.string().nullable(),
  at: isoTimestamp,
});

const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      config: { roles: ['admin', 'auditor'] },
      schema: {
        tags: ['events'],
        summary: 'Notifications to people, newest first',
        querystring: z.object({ orderId: id.optional(), ...pageQuery }),
        response: { 200: z.object({ items: z.array(notificationView), nextCursor }), ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => {
      const { orderId, limit, cursor } = request.query;
      const before = cursor ? Number(decodeCursor(cursor, 1)[0]) : undefined;
      const rows = app.db
        .select()
        .from(notifications)
        .where(and(orderId ? eq(notifications.orderId, orderId) : undefined, before !== undefined ? lt(notifications.id, before) : undefined))
        .orderBy(desc(notifications.id))
        .limit(limit + 1)
        .all();
      const p = page(rows, limit, (r) => [r.id]);
      return { items: p.rows.map((r) => ({ ...r, status: r.status as 'sent' | 'failed' | 'logged' | 'gave_up' })), nextCursor: p.nextCursor };
    },
  );
};

export default notificationRoutes;
