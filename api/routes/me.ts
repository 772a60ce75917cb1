/** Who the caller is: the console shows it and uses the departments to offer only the steps the caller decides. */
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../plugins/auth';
import { problems } from '../problem';
import { departmentsOf } from '../roles';
import { authProblems, problemResponses } from '../schemas/common';
import { colleagueList, colleaguesQuery, delegationBody, delegationView, meView } from '../schemas/principals';
import { colleaguesOf } from '../services/colleagues';
import { delegationsOf, endDelegation, setDelegation } from '../services/delegation';

const meRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      config: { roles: ['integrator', 'approver', 'auditor', 'admin', 'erp'] },
      schema: {
        tags: ['principals'],
        summary: 'The calling principal: id, name, roles, departments',
        response: { 200: meView, ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return {
        id: principal.id,
        name: principal.name,
        roles: principal.roles,
        departments: departmentsOf(principal),
        delegations: delegationsOf(app.db, principal.id),
      };
    },
  );

  app.get(
    '/me/colleagues',
    {
      config: { roles: ['approver'] },
      schema: {
        tags: ['principals'],
        summary: 'The active approvers of your departments: whom to hand a step to, or name as your delegate',
        description:
          'Scoped to your departments (and those delegated to you now); `department` narrows it to one of them (management may ' +
          'name any department, as it hands over escalated steps of every department: 403 for others). You are left out.',
        querystring: colleaguesQuery,
        response: { 200: colleagueList, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => ({ items: colleaguesOf(app.db, principalOf(request), request.query.department) }),
  );

  app.put(
    '/me/delegation',
    {
      config: { roles: ['approver'] },
      schema: {
        tags: ['principals'],
        summary: "Away: a colleague sees and decides your departments' steps until a time",
        description:
          "The delegate's inbox shows your departments' steps; their decisions show onBehalfOf: you. Segregation of duties " +
          'binds the person who decides. A new PUT replaces your delegation.',
        body: delegationBody,
        response: { 200: delegationView, ...problemResponses(400, 415, 422), ...authProblems },
      },
    },
    async (request) => setDelegation(app.db, principalOf(request), request.body),
  );

  app.delete(
    '/me/delegation',
    {
      config: { roles: ['approver'] },
      schema: {
        tags: ['principals'],
        summary: 'Back: end your delegation',
        response: { 204: z.null().describe('ended'), ...problemResponses(404), ...authProblems },
      },
    },
    async (request, reply) => {
      if (!endDelegation(app.db, principalOf(request))) throw problems.notFound('you have no delegation in force');
      return reply.code(204).send(null);
    },
  );
};

export default meRoutes;
