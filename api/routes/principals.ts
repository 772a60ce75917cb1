/** Principals (admin only): create with a token shown once, list without tokens, revoke. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BUILT_IN_ADMIN_ID, PrincipalExistsError, createPrincipal, listPrincipals, revokePrincipal } from '../../db/principals';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { authProblems, problemResponses } from '../schemas/common';
import { createPrincipalBody, createdPrincipal, principalList, principalParams } from '../schemas/principals';

const roles = ['admin'] as const;
const tags = ['principals'];

const principalRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/principals',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Create a principal; the answer holds its bearer token, shown only this once',
        body: createPrincipalBody,
        response: { 201: createdPrincipal, ...problemResponses(400, 409), ...authProblems },
      },
    },
    async (request, reply) => {
      try {
        const created = createPrincipal(app.db, request.body);
        reply.code(201).header('cache-control', 'no-store');
        return created;
      } catch (err) {
        if (err instanceof PrincipalExistsError) throw problems.conflict(err.message);
        throw err;
      }
    },
  );

  app.get(
    '/principals',
    { config: { roles }, schema: { tags, summary: 'List principals (never their tokens)', response: { 200: principalList, ...authProblems } } },
    async () => ({ items: listPrincipals(app.db) }),
  );

  app.delete(
    '/principals/:principalId',
    {
      config: { roles },
      schema: {
        tags,
        summary: 'Revoke a principal: its token stops working at once',
        params: principalParams,
        response: { 204: z.null().describe('revoked'), ...problemResponses(404, 409), ...authProblems },
      },
    },
    async (request, reply) => {
      const { principalId } = request.params;
      // Revoking yourself would lock the last admin out until a restart re-issues the built-in one.
      if (principalId === principalOf(request).id) throw problems.conflict('a principal cannot revoke itself');
      if (principalId === BUILT_IN_ADMIN_ID) {
        throw problems.conflict('the built-in admin is governed by ADMIN_TOKEN: set another ADMIN_TOKEN and restart to rotate its token');
      }
      if (!revokePrincipal(app.db, principalId)) throw problems.notFound(`no active principal ${principalId}`);
      return reply.code(204).send(null);
    },
  );
};

export default principalRoutes;
