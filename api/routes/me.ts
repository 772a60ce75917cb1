/** Who the caller is: the console shows it and uses the departments to offer only the steps the caller decides. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { principalOf } from '../plugins/auth';
import { departmentsOf } from '../roles';
import { authProblems } from '../schemas/common';
import { meView } from '../schemas/principals';

const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      config: { roles: ['integrator', 'approver', 'auditor', 'admin'] },
      schema: {
        tags: ['principals'],
        summary: 'The calling principal: id, name, roles, departments',
        response: { 200: meView, ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { id: principal.id, name: principal.name, roles: principal.roles, departments: departmentsOf(principal), delegations: [] };
    },
  );
};

export default meRoutes;
