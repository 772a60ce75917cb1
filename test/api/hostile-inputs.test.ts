/**
 * The scorecard's hostile inputs (docs/reliability.md): each class of bad input, sent to the operations that take
 * it, answers its 4xx as problem+json and writes nothing — not one row in any table of the app database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanOrder, useTestApp } from '../helpers/app';

type Principal = 'admin' | 'shop' | 'finance';
interface Hostile {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  as?: Principal | null;
  headers?: Record<string, string>;
  body?: string | object;
  contentType?: string;
}

const json = 'application/json';
const order = (o: Record<string, unknown> = {}) => JSON.stringify(cleanOrder(o));
const customer = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'C', tier: 'standard', creditLimit: '1.00', openBalance: '0.00', allowedPaymentTerms: ['NET30'], onHold: false, ...o });
const decision = '/v1/orders/NO-SUCH/steps/credit/decision';

/** Where a JSON body goes: one operation of each kind that takes one. */
const BODY_TARGETS: { method: 'POST' | 'PUT'; url: string; as: Principal }[] = [
  { method: 'POST', url: '/v1/orders', as: 'shop' },
  { method: 'POST', url: '/v1/orders/NO-SUCH/amendments', as: 'shop' },
  { method: 'POST', url: decision, as: 'finance' },
  { method: 'PUT', url: '/v1/customers/C-H', as: 'admin' },
  { method: 'PUT', url: '/v1/products/P-H', as: 'admin' },
  { method: 'PUT', url: '/v1/materials/M-H', as: 'admin' },
  { method: 'PUT', url: '/v1/capacity', as: 'admin' },
  { method: 'POST', url: '/v1/principals', as: 'admin' },
  { method: 'POST', url: '/v1/replay', as: 'admin' },
];
const toEveryBody = (body: string, contentType = json): Hostile[] => BODY_TARGETS.map((t) => ({ ...t, body, contentType }));

const CLASSES: { name: string; status: number; cases: Hostile[] }[] = [
  {
    name: 'malformed JSON',
    status: 400,
    cases: ['{"orderId": "X",', '[1, 2', 'nul', '{"a": 1} trailing', "{'single': 'quotes'}", '{"a": NaN}'].flatMap((b) => toEveryBody(b)),
  },
  {
    name: 'prototype-poisoning keys',
    status: 400,
    cases: ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}'].flatMap((b) => toEveryBody(b)),
  },
  { name: 'empty body sent as JSON', status: 400, cases: toEveryBody('') },
  {
    name: 'wrong content type',
    status: 415,
    cases: ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream'].flatMap(
      (ct) => toEveryBody('{"a": 1}', ct),
    ),
  },
  {
    name: 'oversized body (over 1 MiB; over 20 MiB for replay)',
    status: 413,
    cases: [
      ...BODY_TARGETS.filter((t) => t.url !== '/v1/replay').map((t) => ({ ...t, body: `{"pad": "${'x'.repeat(1024 * 1024)}"}`, contentType: json })),
      { method: 'POST', url: '/v1/replay', as: 'admin', body: `{"pad": "${'x'.repeat(20 * 1024 * 1024)}"}`, contentType: json },
    ],
  },
  {
    name: 'control characters in names and short texts',
    status: 400,
    cases: [
      ...['\u0000', '\u001b[2J', '\u0007', 'a\nb', '\u202e', '\u0085'].flatMap((c): Hostile[] => [
        { method: 'PUT', url: '/v1/customers/C-H', as: 'admin', body: customer({ name: `Acme${c}` }), contentType: json },
        { method: 'PUT', url: '/v1/materials/M-H', as: 'admin', body: JSON.stringify({ name: `M${c}`, onHand: 1 }), contentType: json },
        { method: 'POST', url: '/v1/principals', as: 'admin', body: JSON.stringify({ id: 'p-h', name: `P${c}`, roles: ['auditor'] }), contentType: json },
        { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ paymentTerms: `NET30${c}` }), contentType: json },
      ]),
    ],
  },
  {
    name: 'unknown references',
    status: 422,
    cases: [
      { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ customerId: 'C-NOPE' }), contentType: json },
      { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ lines: [{ sku: 'NOPE', quantity: 1, unitPrice: '1.00' }], declaredTotal: undefined }), contentType: json },
      { method: 'PUT', url: '/v1/products/P-H', as: 'admin', body: JSON.stringify({ name: 'P', unitPrice: '1.00', hoursPerUnit: 0, materials: [{ materialId: 'M-NOPE', quantityPerUnit: 1 }] }), contentType: json },
    ],
  },
  {
    name: 'bad ids in paths',
    status: 400,
    cases: ['x'.repeat(65), 'has%20space', '..%2F..%2Fetc%2Fpasswd', '%00', '%E2%80%AE', 'a;b', '%27%20OR%201%3D1'].flatMap((bad): Hostile[] => [
      { method: 'GET', url: `/v1/customers/${bad}`, as: 'admin' },
      { method: 'GET', url: `/v1/orders/${bad}`, as: 'admin' },
      { method: 'DELETE', url: `/v1/principals/${bad}`, as: 'admin' },
      { method: 'PUT', url: `/v1/materials/${bad}`, as: 'admin', body: JSON.stringify({ name: 'M', onHand: 1 }), contentType: json },
    ]),
  },
  {
    name: 'wrong types, unknown fields, out-of-range numbers',
    status: 400,
    cases: [
      { quantity: '3' }, { quantity: 1.5 }, { quantity: 1e20 }, { quantity: -1 }, { unitPrice: 12.5 }, { unitPrice: '1e3' }, { unitPrice: '12.505' },
    ]
      .map((l): Hostile => ({ method: 'POST', url: '/v1/orders', as: 'shop', body: order({ lines: [{ sku: 'BOX-1', quantity: 1, unitPrice: '12.50', ...l }] }), contentType: json }))
      .concat([
        { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ discount: '5%' }), contentType: json },
        { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ lines: Array.from({ length: 201 }, () => ({ sku: 'BOX-1', quantity: 1, unitPrice: '12.50' })) }), contentType: json },
        { method: 'POST', url: '/v1/orders', as: 'shop', body: order({ lines: [{ sku: 'BOX-1', quantity: 10_000_000, unitPrice: '9999999999999.99' }] }), contentType: json },
        { method: 'PUT', url: '/v1/capacity', as: 'admin', body: JSON.stringify({ hoursPerDay: -1 }), contentType: json },
        { method: 'PUT', url: '/v1/capacity', as: 'admin', body: JSON.stringify({ hoursPerDay: '16' }), contentType: json },
        { method: 'PUT', url: '/v1/customers/C-H', as: 'admin', body: customer({ creditLimit: '-5.00' }), contentType: json },
        { method: 'POST', url: '/v1/principals', as: 'admin', body: JSON.stringify({ id: 'p-h', name: 'P', roles: ['root'] }), contentType: json },
        { method: 'POST', url: '/v1/principals', as: 'admin', body: JSON.stringify({ id: 'p-h', name: 'P', roles: ['auditor'], token: 'chosen' }), contentType: json },
        { method: 'POST', url: decision, as: 'finance', body: JSON.stringify({ decision: 'reject' }), contentType: json },
        { method: 'POST', url: decision, as: 'finance', body: JSON.stringify({ decision: 'maybe' }), contentType: json },
        { method: 'POST', url: decision, as: 'finance', headers: { 'idempotency-key': 'x'.repeat(201) }, body: JSON.stringify({ decision: 'approve' }), contentType: json },
        { method: 'POST', url: '/v1/replay', as: 'admin', body: JSON.stringify({ events: 'not a history' }), contentType: json },
      ]),
  },
  {
    name: 'bad query strings',
    status: 400,
    cases: ['limit=0', 'limit=201', 'limit=abc', 'limit=1e3', 'status=done', 'cursor=not-a-cursor', `cursor=${'x'.repeat(600)}`, 'customerId=has%20space'].map(
      (q): Hostile => ({ method: 'GET', url: `/v1/orders?${q}`, as: 'admin' }),
    ),
  },
  {
    name: 'missing, malformed or unknown credentials',
    status: 401,
    cases: [undefined, 'Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Bearer ${'x'.repeat(8 * 1024)}`, 'Bearer tok-admin', 'bearer  two words', 'Token abc'].flatMap(
      (authorization): Hostile[] => [
        { method: 'POST', url: '/v1/orders', as: null, headers: authorization ? { authorization } : {}, body: order(), contentType: json },
        { method: 'POST', url: '/v1/principals', as: null, headers: authorization ? { authorization } : {}, body: JSON.stringify({ id: 'evil', name: 'E', roles: ['admin'] }), contentType: json },
      ],
    ),
  },
];

describe('hostile inputs: 4xx problem+json, nothing written', () => {
  const env = useTestApp();
  const summary: string[] = [];
  afterAll(() => console.log(`hostile inputs by class:\n${summary.join('\n')}`));

  /** Rows in every table of the app database (migrations' own bookkeeping excluded). */
  const rowCount = (): number => {
    const tables = env.ctx.db.$client
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
      .all() as { name: string }[];
    return tables.reduce((sum, t) => sum + (env.ctx.db.$client.prepare(`select count(*) as n from "${t.name}"`).get() as { n: number }).n, 0);
  };

  it.each(CLASSES)('$name → $status', async ({ status, cases, name }) => {
    const before = rowCount();
    const statuses: Record<number, number> = {};
    for (const c of cases) {
      const res = await env.ctx.app.inject({
        method: c.method,
        url: c.url,
        headers: {
          ...(c.as ? env.ctx.auth(c.as) : {}),
          ...(c.contentType ? { 'content-type': c.contentType } : {}),
          ...c.headers,
        },
        ...(c.body !== undefined ? { payload: c.body } : {}),
      });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      expect(res.statusCode, `${c.method} ${c.url.slice(0, 80)} ${String(c.body).slice(0, 80)}: ${res.body.slice(0, 300)}`).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().type).toMatch(/^urn:order-review:problem:/);
    }
    const written = rowCount() - before;
    expect(written).toBe(0);
    summary.push(`  ${name}: ${cases.length} inputs → ${JSON.stringify(statuses)}, rows written: ${written}`);
  });
});
