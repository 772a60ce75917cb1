/** The authorisation matrix: every endpoint × every role. 401 without (or with an unknown) token, 403 for a wrong role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPrincipalId, useTestApp } from '../helpers/app';

type Role = 'admin' | 'integrator' | 'approver' | 'auditor' | 'erp';
/** One principal per role (approver: a finance approver). */
const AS: Record<Role, TestPrincipalId> = { admin: 'admin', integrator: 'shop', approver: 'finance', auditor: 'auditor', erp: 'erp' };

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  allowed: Role[];
  /** A body that passes authorisation but fails validation (or names nothing), so allowed calls change nothing. */
  body?: unknown;
}

const MISSING = 'NO-SUCH-ORDER';
const WRITERS: Role[] = ['erp', 'admin'];
const READERS: Role[] = ['admin', 'erp', 'integrator', 'approver', 'auditor'];
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', url: '/v1/principals', allowed: ['admin'], body: {} },
  { method: 'GET', url: '/v1/principals', allowed: ['admin'] },
  { method: 'DELETE', url: '/v1/principals/nobody', allowed: ['admin'] },
  { method: 'GET', url: '/v1/me', allowed: ['admin', 'integrator', 'approver', 'auditor', 'erp'] },
  // Master data: written by erp and admin only (v1.1's breaking change), read by everyone whose work depends on it.
  { method: 'PUT', url: '/v1/customers/C-X', allowed: WRITERS, body: {} },
  { method: 'GET', url: '/v1/customers/C-BIG', allowed: READERS },
  { method: 'GET', url: '/v1/customers/C-BIG/versions', allowed: READERS },
  { method: 'GET', url: '/v1/customers', allowed: READERS },
  { method: 'PUT', url: '/v1/products/P-X', allowed: WRITERS, body: {} },
  { method: 'GET', url: '/v1/products/BOX-1', allowed: READERS },
  { method: 'GET', url: '/v1/products/BOX-1/versions', allowed: READERS },
  { method: 'GET', url: '/v1/products', allowed: READERS },
  { method: 'PUT', url: '/v1/materials/M-X', allowed: WRITERS, body: {} },
  { method: 'GET', url: '/v1/materials/M-KRAFT', allowed: READERS },
  { method: 'GET', url: '/v1/materials/M-KRAFT/versions', allowed: READERS },
  { method: 'GET', url: '/v1/materials', allowed: READERS },
  { method: 'PUT', url: '/v1/capacity', allowed: WRITERS, body: {} },
  { method: 'GET', url: '/v1/capacity', allowed: READERS },
  { method: 'GET', url: '/v1/capacity/versions', allowed: READERS },
  { method: 'POST', url: '/v1/orders', allowed: ['integrator'], body: {} },
  { method: 'GET', url: '/v1/orders', allowed: ['integrator', 'approver', 'auditor', 'admin', 'erp'] },
  { method: 'GET', url: `/v1/orders/${MISSING}`, allowed: ['integrator', 'approver', 'auditor', 'admin', 'erp'] },
  { method: 'GET', url: '/v1/inbox', allowed: ['approver'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/steps/credit/decision`, allowed: ['approver'], body: { decision: 'approve' } },
  { method: 'POST', url: `/v1/orders/${MISSING}/steps/credit/recheck`, allowed: ['approver'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/amendments`, allowed: ['integrator'], body: {} },
  { method: 'POST', url: `/v1/orders/${MISSING}/cancel`, allowed: ['integrator', 'admin'], body: { reason: 'x' } },
  { method: 'POST', url: `/v1/orders/${MISSING}/fulfilment`, allowed: ['erp', 'admin'], body: { event: 'shipped', reference: 'DN-1' } },
  { method: 'GET', url: `/v1/orders/${MISSING}/audit`, allowed: ['auditor', 'admin'] },
  { method: 'GET', url: `/v1/orders/${MISSING}/history`, allowed: ['auditor', 'admin'] },
  { method: 'POST', url: '/v1/replay', allowed: ['auditor', 'admin'], body: {} },
  { method: 'GET', url: '/v1/events', allowed: ['integrator', 'auditor', 'admin', 'erp'] },
  { method: 'POST', url: '/v1/webhooks', allowed: ['admin', 'integrator'], body: {} },
  { method: 'GET', url: '/v1/webhooks', allowed: ['admin', 'integrator'] },
  { method: 'GET', url: '/v1/webhooks/wh_missing000000', allowed: ['admin', 'integrator'] },
  { method: 'DELETE', url: '/v1/webhooks/wh_missing000000', allowed: ['admin', 'integrator'] },
  { method: 'GET', url: '/v1/webhooks/wh_missing000000/deliveries', allowed: ['admin', 'integrator'] },
  { method: 'POST', url: '/v1/webhooks/wh_missing000000/deliveries/evt-1/retry', allowed: ['admin', 'integrator'] },
  { method: 'GET', url: '/v1/notifications', allowed: ['admin', 'auditor'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/tracking-link`, allowed: ['integrator'] },
  { method: 'DELETE', url: `/v1/orders/${MISSING}/tracking-link`, allowed: ['integrator'] },
  { method: 'GET', url: '/v1/me/colleagues', allowed: ['approver'] },
  { method: 'PUT', url: '/v1/me/delegation', allowed: ['approver'], body: {} },
  { method: 'DELETE', url: '/v1/me/delegation', allowed: ['approver'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/steps/credit/claim`, allowed: ['approver'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/steps/credit/unclaim`, allowed: ['approver'] },
  { method: 'POST', url: `/v1/orders/${MISSING}/steps/credit/assign`, allowed: ['approver'], body: {} },
  { method: 'POST', url: '/v1/decisions', allowed: ['approver'], body: {} },
  // Every department's figures: management (approver:management; a finance approver is refused), auditors, admins.
  { method: 'GET', url: '/v1/kpis', allowed: ['admin', 'auditor'] },
];

/** Open on purpose: the customer's tracking page data, whose unguessable token is the credential. */
const PUBLIC_ENDPOINTS: Endpoint[] = [{ method: 'GET', url: '/v1/track/no-such-token-0000000000000', allowed: [] }];

describe('authorisation matrix', () => {
  const env = useTestApp();

  const send = (e: Endpoint, headers: Record<string, string>) =>
    env.ctx.app.inject({ method: e.method, url: e.url, headers, ...(e.body !== undefined ? { payload: e.body as object } : {}) });

  describe.each(ENDPOINTS)('$method $url', (e) => {
    it('answers 401 problem+json with WWW-Authenticate without a token', async () => {
      const res = await send(e, {});
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    });

    it('answers 401 for an unknown token and for a non-bearer scheme', async () => {
      expect((await send(e, { authorization: 'Bearer not-a-real-token' })).statusCode).toBe(401);
      expect((await send(e, { authorization: `Basic ${env.ctx.tokens.admin}` })).statusCode).toBe(401);
    });

    it.each(Object.keys(AS) as Role[])('as %s', async (role) => {
      const res = await send(e, env.ctx.auth(AS[role]));
      if (e.allowed.includes(role)) {
        expect([401, 403], `${role} should be allowed: ${res.body}`).not.toContain(res.statusCode);
      } else {
        expect(res.statusCode, res.body).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json().detail).toMatch(/requires one of the roles/);
      }
    });
  });

  it('covers every /v1 operation the OpenAPI description lists', async () => {
    const spec = (await env.ctx.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, object> };
    const operations = Object.entries(spec.paths)
      .filter(([p]) => p.startsWith('/v1'))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), template: p })));
    expect(operations.length).toBeGreaterThanOrEqual(ENDPOINTS.length);
    for (const op of operations) {
      const re = new RegExp(`^${op.template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const covered = [...ENDPOINTS, ...PUBLIC_ENDPOINTS].some((e) => e.method === op.method && re.test(e.url));
      expect(covered, `${op.method} ${op.template} is missing from the matrix`).toBe(true);
    }
  });

  it.each(PUBLIC_ENDPOINTS)('$method $url answers without a token (and 404 for a token it does not know)', async (e) => {
    const res = await send(e, {});
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses to start with a /v1 route that declares no roles', async () => {
    const { buildApp } = await import('../../api/app');
    const app = await buildApp({ config: env.ctx.config, db: env.ctx.db, temporal: env.t.client, policy: env.ctx.app.policy, sweeper: false });
    expect(() => app.get('/v1/open', async () => ({ open: true }))).toThrow(/must declare config.roles/);
    await app.close();
  });
});
