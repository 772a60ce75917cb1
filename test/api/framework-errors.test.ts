/**
 * Errors Fastify raises itself (content type, body size, empty or malformed bodies) answer in the product's own
 * problem format, and the OpenAPI description documents them on every operation they can happen on.
 */
import { describe, expect, it } from 'vitest';
import { orders } from '../../db/schema';
import { cleanOrder, useTestApp } from '../helpers/app';

const PROBLEM_TYPE = /^urn:order-review:problem:[a-z-]+$/;

describe('framework errors as problems', () => {
  const env = useTestApp();

  const post = (payload: string | Buffer | undefined, contentType?: string) =>
    env.ctx.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...env.ctx.auth('shop'), ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload !== undefined ? { payload } : {}),
    });

  const expectProblem = (res: Awaited<ReturnType<typeof post>>, status: number, type: string, detail: RegExp) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.type).toMatch(PROBLEM_TYPE);
    expect(body.type).toBe(`urn:order-review:problem:${type}`);
    expect(body).toMatchObject({ status, title: expect.any(String) });
    expect(body.detail).toMatch(detail);
  };

  it('415 for an unsupported media type, naming it and what is accepted', async () => {
    const res = await post('<order/>', 'application/xml');
    expectProblem(res, 415, 'unsupported-media-type', /application\/xml.*application\/json/);
  });

  it('415 for text/plain, like any other type that is not JSON', async () => {
    const res = await post(JSON.stringify(cleanOrder()), 'text/plain');
    expectProblem(res, 415, 'unsupported-media-type', /text\/plain/);
  });

  it('413 for a body over the limit, naming the limit', async () => {
    const res = await post(JSON.stringify(cleanOrder({ notes: 'x'.repeat(1024 * 1024) })), 'application/json');
    expectProblem(res, 413, 'payload-too-large', /1 MiB|1048576 bytes/);
  });

  it('400 for an empty body sent as JSON', async () => {
    const res = await post('', 'application/json');
    expectProblem(res, 400, 'malformed-json', /empty/i);
  });

  it('400 for no body at all on a route that needs one', async () => {
    const res = await post(undefined);
    expectProblem(res, 400, 'validation', /body/);
  });

  it('400 for malformed JSON', async () => {
    const res = await post('{"orderId": "X",', 'application/json');
    expectProblem(res, 400, 'malformed-json', /JSON/);
  });

  it('400 for a path parameter longer than any id, and for a broken percent escape (the router refuses both)', async () => {
    const get = (url: string) => env.ctx.app.inject({ method: 'GET', url, headers: env.ctx.auth('admin') });
    expectProblem(await get(`/v1/orders/${'0'.repeat(101)}`), 400, 'bad-request', /longer than 100/);
    expectProblem(await get(`/v1/track/${'0'.repeat(300)}`), 400, 'bad-request', /longer than 100/);
    expectProblem(await get('/v1/orders/%zz'), 400, 'bad-request', /percent/);
    // At the limit the route itself answers (its own validation of the id).
    const atLimit = await get(`/v1/orders/${'0'.repeat(100)}`);
    expect(atLimit.statusCode).toBe(400);
    expect(atLimit.json().type).toBe('urn:order-review:problem:validation');
  });

  it('no problem anywhere is typed about:blank', async () => {
    const answers = await Promise.all([
      post('<order/>', 'application/xml'),
      post('x', 'text/plain'),
      post('', 'application/json'),
      env.ctx.app.inject({ method: 'GET', url: '/v1/nothing', headers: env.ctx.auth('admin') }),
      env.ctx.app.inject({ method: 'GET', url: '/v1/orders' }),
      env.ctx.app.inject({ method: 'PUT', url: '/v1/capacity', headers: { ...env.ctx.auth('admin'), 'content-length': 'abc' }, payload: '{}' }),
    ]);
    for (const res of answers) {
      expect(res.headers['content-type'], res.body).toMatch(/^application\/problem\+json/);
      expect(res.json().type, res.body).toMatch(PROBLEM_TYPE);
    }
  });

  it('nothing is stored by any of them', () => {
    expect(env.ctx.db.select().from(orders).all()).toEqual([]);
  });
});

type Operation = {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};

describe('the OpenAPI description documents framework errors', () => {
  const env = useTestApp();

  it('400 on every operation that validates input; 413 and 415 on every operation with a body', async () => {
    const spec = (await env.ctx.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const missing: string[] = [];
    let withInput = 0;
    let withBody = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method.toUpperCase()} ${path}`;
        const validates = !!op.requestBody || (op.parameters ?? []).some((p) => ['path', 'query', 'header'].includes(p.in));
        if (validates) {
          withInput++;
          if (!op.responses['400']) missing.push(`${name}: 400`);
        }
        if (op.requestBody) {
          withBody++;
          if (!op.responses['415']) missing.push(`${name}: 415`);
          if (!op.responses['413']) missing.push(`${name}: 413`);
        }
      }
    }
    expect(missing).toEqual([]);
    // Problems are sent as application/problem+json, so that is the type documented for every 4xx and 5xx
    // (schemathesis found them documented as application/json).
    const wrongType = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([code]) => Number(code) >= 400)
          .filter(([, r]) => Object.keys((r as { content?: object }).content ?? {}).join() !== 'application/problem+json')
          .map(([code]) => `${method.toUpperCase()} ${path}: ${code}`),
      ),
    );
    expect(wrongType).toEqual([]);
    // The walk saw the operations it is about (a broken walk must not pass on an empty spec).
    expect(withInput).toBeGreaterThanOrEqual(15);
    expect(withBody).toBeGreaterThanOrEqual(9);
  });
});
