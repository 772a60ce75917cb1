/**
 * Responses go out through fast-json-stringify compiled from the zod schemas' JSON Schema (api/serializer.ts), not
 * through zod. What the schema does not declare must not leak, at any depth; a required field missing still fails
 * the answer. A Fastify instance with the app's serialiser compiler and the real Order schema.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderView } from '../../api/schemas/orders';
import { serializerCompiler } from '../../api/serializer';

const at = '2026-12-02T10:00:00.000Z';
function order(): Record<string, unknown> {
  return {
    orderId: 'o-1', status: 'pending_review', revision: 1, priority: 'normal', customerId: 'c-1', submittedBy: 'shop',
    submittedAt: at, updatedAt: at, completedAt: null,
    order: {
      orderId: 'o-1', customerId: 'c-1', channel: 'web', currency: 'EUR', requestedDeliveryDate: '2026-12-20',
      paymentTerms: 'NET30', priority: 'normal', declaredTotal: null, total: '1.00', specialRequirements: [], notes: null,
      lines: [{ sku: 'S', quantity: 1, unitPrice: '1.00', lineTotal: '1.00', leakLine: 'x' }],
      leakOrder: 'x',
    },
    risk: { score: 1, reasons: [], leakRisk: 'x' },
    steps: [
      {
        step: 'credit', department: 'finance', status: 'awaiting', dueAt: null, waitingSince: at, escalated: false,
        findings: [{ code: 'C', message: 'm', leakFinding: 'x' }],
        decision: { decision: 'approve', by: 'fin', at, comment: null, leakDecision: 'x' },
        leakStep: 'x',
      },
    ],
    stages: [['credit']], awaiting: ['credit'], outcome: null, fulfilment: null, plannedCompletionDate: null,
    leakTop: 'x', internalState: { tokenHash: 'secret' },
  };
}

describe('response serialiser', () => {
  let app: FastifyInstance;
  let reply: () => Record<string, unknown>;
  beforeAll(async () => {
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    app.get('/o', { schema: { response: { 200: orderView } } }, async () => reply());
    await app.ready();
  });
  afterAll(() => app.close());

  it('writes only the properties the schema declares, at every depth', async () => {
    reply = order;
    const res = await app.inject({ method: 'GET', url: '/o' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/leak|internalState|tokenHash|secret/);
    const body = res.json();
    expect(body.steps[0].decision).toEqual({ decision: 'approve', by: 'fin', at, comment: null });
    expect(body.order.lines[0]).toEqual({ sku: 'S', quantity: 1, unitPrice: '1.00', lineTotal: '1.00' });
    expect(body.risk).toEqual({ score: 1, reasons: [] });
  });

  it('fails the answer (500) when a required field is missing, as zod did', async () => {
    reply = () => {
      const o = order();
      delete o.status;
      return o;
    };
    const res = await app.inject({ method: 'GET', url: '/o' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('o-1');
  });
});
