/** Request validation and the problem+json error shape; nothing is stored and no workflow starts on any 4xx. */
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderIntake, orders } from '../../db/schema';
import { workflowIdFor } from '../../workflows/messages';
import { cleanOrder, createTestApp, useTestApp } from '../helpers/app';
import { startTestWorker } from '../helpers/worker';

describe('order submission validation', () => {
  const env = useTestApp();

  const submit = (payload: unknown, headers: Record<string, string> = {}) =>
    env.ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: { ...env.ctx.auth('shop'), ...headers }, payload: payload as object });

  /** No row for the order (the table only holds what other tests accepted), and no workflow. */
  const expectNothingStored = async (orderId: string) => {
    expect(env.ctx.db.select().from(orderIntake).all().filter((r) => r.orderId === orderId)).toEqual([]);
    expect(env.ctx.db.select().from(orders).all().filter((r) => r.orderId === orderId)).toEqual([]);
    await expect(env.t.client.workflow.getHandle(workflowIdFor(orderId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['a zero quantity', { lines: [{ sku: 'BOX-1', quantity: 0, unitPrice: '12.50' }] }, 'lines.0.quantity', /./],
    ['a fractional quantity', { lines: [{ sku: 'BOX-1', quantity: 1.5, unitPrice: '12.50' }] }, 'lines.0.quantity', /whole number/i],
    ['a quantity given as a string', { lines: [{ sku: 'BOX-1', quantity: '3', unitPrice: '12.50' }] }, 'lines.0.quantity', /number/i],
    ['three fraction digits', { lines: [{ sku: 'BOX-1', quantity: 1, unitPrice: '12.505' }] }, 'lines.0.unitPrice', /decimal/],
    ['a numeric price', { lines: [{ sku: 'BOX-1', quantity: 1, unitPrice: 12.5 }] }, 'lines.0.unitPrice', /string/i],
    ['a negative declared total', { declaredTotal: '-1.00' }, 'declaredTotal', /decimal/],
    ['an impossible date', { requestedDeliveryDate: '2026-02-30' }, 'requestedDeliveryDate', /calendar date/],
    ['a date with time', { requestedDeliveryDate: '2026-12-20T00:00:00Z' }, 'requestedDeliveryDate', /YYYY-MM-DD/],
    ['an unknown channel', { channel: 'fax' }, 'channel', /./],
    ['an unknown priority', { priority: 'asap' }, 'priority', /./],
    ['no lines', { lines: [] }, 'lines', /./],
    ['a bad orderId', { orderId: 'has space' }, 'orderId', /A–Z/],
    ['a missing customer', { customerId: undefined }, 'customerId', /./],
    ['an unknown top-level key', { discount: '5%' }, 'discount', /unknown field/],
    ['an unknown line key', { lines: [{ sku: 'BOX-1', quantity: 1, unitPrice: '12.50', colour: 'red' }] }, 'lines.0.colour', /unknown field/],
  ];

  it.each(cases)('400 for %s, naming %s', async (_name, override, path, message) => {
    const body = cleanOrder(override);
    const res = await submit(body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, title: 'Invalid request', type: expect.any(String), detail: expect.any(String) });
    const error = problem.errors.find((e: { path: string }) => e.path === path);
    expect(error, JSON.stringify(problem.errors)).toBeDefined();
    expect(error.message).toMatch(message);
    await expectNothingStored(body.orderId as string);
  });

  it('400 for 201 lines; 200 lines are accepted', async () => {
    const line = { sku: 'BOX-1', quantity: 1, unitPrice: '12.50' };
    const tooMany = cleanOrder({ lines: Array.from({ length: 201 }, () => line), declaredTotal: undefined });
    const res = await submit(tooMany);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('lines');
    await expectNothingStored(tooMany.orderId as string);

    const max = cleanOrder({ lines: Array.from({ length: 200 }, () => line), declaredTotal: '2500.00' });
    const ok = await submit(max);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().order.lines).toHaveLength(200);
  });

  it('400 problem for malformed JSON', async () => {
    const res = await env.ctx.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...env.ctx.auth('shop'), 'content-type': 'application/json' },
      payload: '{"orderId": "X",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, detail: expect.stringMatching(/JSON/) });
  });

  it('400 for a missing body and for a JSON array body', async () => {
    const none = await env.ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth('shop') });
    expect(none.statusCode).toBe(400);
    const array = await submit([cleanOrder()]);
    expect(array.statusCode).toBe(400);
  });

  it('413 problem for a body over 1 MiB', async () => {
    const res = await submit(cleanOrder({ notes: 'x'.repeat(1024 * 1024 + 1) }));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('422 naming customerId for an unknown customer; nothing stored, no workflow', async () => {
    const before = env.ctx.db.select().from(orderIntake).all().length;
    const body = cleanOrder({ customerId: 'C-NOPE' });
    const res = await submit(body);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().errors).toEqual([{ path: 'customerId', message: expect.stringContaining('C-NOPE') }]);
    await expectNothingStored(body.orderId as string);
    expect(env.ctx.db.select().from(orderIntake).all()).toHaveLength(before);
  });

  it('422 naming each unknown SKU by its line', async () => {
    const lines = [
      { sku: 'BOX-1', quantity: 1, unitPrice: '12.50' },
      { sku: 'BOX-2', quantity: 1, unitPrice: '34.00' },
      { sku: 'BOX-1', quantity: 2, unitPrice: '12.50' },
      { sku: 'NOPE-9', quantity: 1, unitPrice: '1.00' },
    ];
    const body = cleanOrder({ lines, declaredTotal: undefined });
    const res = await submit(body);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'lines.3.sku', message: expect.stringContaining('NOPE-9') }]);
    await expectNothingStored(body.orderId as string);
  });

  it('validates the query string of lists (limit 1..200, opaque cursor)', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'status=done']) {
      const res = await env.ctx.app.inject({ method: 'GET', url: `/v1/orders?${q}`, headers: env.ctx.auth('admin') });
      expect(res.statusCode, q).toBe(400);
    }
    const bad = await env.ctx.app.inject({ method: 'GET', url: '/v1/orders?cursor=not-a-cursor', headers: env.ctx.auth('admin') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'cursor', message: expect.any(String) }]);
  });

  it('validates ids in paths', async () => {
    const res = await env.ctx.app.inject({ method: 'GET', url: `/v1/customers/${'x'.repeat(65)}`, headers: env.ctx.auth('admin') });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('customerId');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await env.ctx.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: env.ctx.auth('admin') });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });
});

describe('health, docs and hardening', () => {
  const env = useTestApp({ rateLimit: { max: 3, timeWindowMs: 60_000 } });

  it('healthz and readyz answer 200 without a token (readyz once a worker polls)', async () => {
    expect((await env.ctx.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const worker = await startTestWorker({ taskQueue: env.ctx.config.taskQueue, connection: env.t.connection });
    try {
      // The worker's first poll reaches the server a moment after it starts (readiness is cached 1.5 s).
      let ready = await env.ctx.app.inject({ method: 'GET', url: '/readyz' });
      for (let i = 0; i < 50 && ready.statusCode !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        ready = await env.ctx.app.inject({ method: 'GET', url: '/readyz' });
      }
      expect(ready.statusCode, ready.body).toBe(200);
    } finally {
      await worker.stop();
    }
  });

  it('readyz answers 503 problem when the database is gone', async () => {
    const other = await createTestApp({ temporal: env.t.client, sweeper: false });
    other.db.$client.close();
    const res = await other.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toMatch(/database/);
    await other.close();
  });

  it('serves the OpenAPI description with the bearer scheme, and the docs page', async () => {
    const spec = (await env.ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const submit = spec.paths['/v1/orders'].post;
    const body = submit.requestBody.content['application/json'].schema;
    expect(JSON.stringify(body)).toContain('requestedDeliveryDate');
    expect(spec.paths['/v1/orders/{orderId}/steps/{step}/decision']).toBeDefined();
    const page = await env.ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('sets security headers', async () => {
    const res = await env.ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it("sets helmet's whole header set on every answer: success, 404, 401 (the values @fastify/helmet set)", async () => {
    const expected = {
      'content-security-policy':
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;" +
        "object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline';connect-src 'self'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    for (const [url, status] of [['/healthz', 200], ['/v1/nowhere', 404], ['/v1/inbox', 401]] as const) {
      const res = await env.ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(status);
      expect(res.headers, url).toMatchObject(expected);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('rate-limits per principal with 429 problem and Retry-After', async () => {
    const get = (id: 'shop' | 'admin') => env.ctx.app.inject({ method: 'GET', url: '/v1/customers', headers: env.ctx.auth(id) });
    for (let i = 0; i < 3; i++) expect((await get('shop')).statusCode).toBe(200);
    const limited = await get('shop');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another principal has its own budget.
    expect((await get('admin')).statusCode).toBe(200);
  });
});
