/**
 * Approvers' tools on waiting steps (contract section 12): claim, release, hand over, and decide many at once. Each
 * goes through the same service as the single decision (api/services/step-actions.ts), so every rule — department,
 * delegation, segregation of duties, claims — holds for each item.
 */
import type { FastifyRequest } from 'fastify';
import { type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../plugins/auth';
import { HttpProblem } from '../problem';
import { authProblems, id, problem, problemResponses } from '../schemas/common';
import { decisionParams, idempotencyHeaders, orderView } from '../schemas/orders';
import { claimStep, decideStep, recheckStep, type StepActionDeps } from '../services/step-actions';
import { DECISIONS, STEP_IDS } from '../../domain/types';

const tags = ['orders'];
const MAX_BULK = 100;

const bulkItem = z
  .strictObject({
    orderId: id,
    step: z.enum(STEP_IDS),
    decision: z.enum(DECISIONS),
    comment: z.string().max(2000).nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.decision !== 'approve' && !b.comment?.trim()) ctx.addIssue({ code: 'custom', path: ['comment'], message: `a comment is required to ${b.decision}` });
  });
const bulkBody = z.strictObject({ items: z.array(bulkItem).min(1).max(MAX_BULK) });
const bulkResult = z.object({
  results: z.array(
    z.object({
      orderId: z.string(),
      step: z.string(),
      status: z.number().int().describe('the HTTP status this item would have had on its own'),
      order: orderView.optional(),
      problem: problem.optional(),
    }),
  ),
});

const stepRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = (request: FastifyRequest): StepActionDeps => ({
    db: app.db,
    temporal: app.temporal,
    config: app.appConfig,
    policy: app.policy,
    log: request.log,
    onLogged: () => app.relayWaker?.poke(),
  });

  for (const kind of ['claim', 'unclaim'] as const) {
    app.post(
      `/orders/:orderId/steps/:step/${kind}`,
      {
        config: { roles: ['approver'] },
        schema: {
          tags,
          summary: kind === 'claim' ? 'Claim a waiting step of your department: others cannot decide it meanwhile' : 'Release your claim (management: any claim)',
          description: '409 when the step is not waiting, or (claim) when another holds it; management may still decide a claimed step.',
          params: decisionParams,
          headers: idempotencyHeaders,
          response: { 200: orderView, ...problemResponses(400, 404, 409, 504), ...authProblems },
        },
      },
      async (request) =>
        claimStep(deps(request), principalOf(request), { ...request.params, kind, idempotencyKey: request.headers['idempotency-key'] }),
    );
  }

  app.post(
    '/orders/:orderId/steps/:step/recheck',
    {
      config: { roles: ['approver'] },
      schema: {
        tags,
        summary: "Run a waiting step's automatic check again on today's master data",
        description:
          "For the step's department. If the check passes now (finance raised the limit), the step becomes auto_approved — capacity and " +
          'materials make their hold — and the review goes on; otherwise it keeps waiting with the new findings and evidence. Logged as ' +
          "`order.step_rechecked`. 403: another department, or the order's submitter (segregation of duties). 409: the step is not " +
          'awaiting a decision (the detail says why), or has no check on master data (special_requirements, final_approval).',
        params: decisionParams,
        headers: idempotencyHeaders,
        response: { 200: orderView, ...problemResponses(404, 409, 504), ...authProblems },
      },
    },
    async (request) => recheckStep(deps(request), principalOf(request), { ...request.params, idempotencyKey: request.headers['idempotency-key'] }),
  );

  app.post(
    '/orders/:orderId/steps/:step/assign',
    {
      config: { roles: ['approver'] },
      schema: {
        tags,
        summary: 'Hand a waiting step to a colleague of the same department (management, or the claimer)',
        params: decisionParams,
        headers: idempotencyHeaders,
        body: z.strictObject({ principalId: id }),
        response: { 200: orderView, ...problemResponses(400, 404, 409, 422, 504), ...authProblems },
      },
    },
    async (request) =>
      claimStep(deps(request), principalOf(request), {
        ...request.params,
        kind: 'assign',
        to: request.body.principalId,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.post(
    '/decisions',
    {
      config: { roles: ['approver'] },
      schema: {
        tags,
        summary: `Decide up to ${MAX_BULK} steps at once`,
        description: 'Each item is decided or refused on its own, exactly as POST …/decision would; `status` is what that call would have answered.',
        body: bulkBody,
        response: { 200: bulkResult, ...problemResponses(400), ...authProblems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const d = deps(request);
      // In order, one at a time: two items of one order must not race each other's segregation-of-duties check.
      const results = [];
      for (const item of request.body.items) {
        try {
          const order = await decideStep(d, principal, { ...item, comment: item.comment ?? null });
          results.push({ orderId: item.orderId, step: item.step, status: 200, order });
        } catch (err) {
          if (!(err instanceof HttpProblem)) throw err;
          results.push({ orderId: item.orderId, step: item.step, status: err.status, problem: err.toBody() });
        }
      }
      return { results };
    },
  );
};

export default stepRoutes;
