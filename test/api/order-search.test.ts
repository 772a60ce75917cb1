/**
 * The order search of section 11 through the API: each filter (and a combination) returns exactly the orders the
 * fixture table below says match, in list order, across keyset pages; integrators see only their own, every other
 * role that lists sees all; CSV carries the same rows. No worker runs: the read model is written as each order's
 * workflow would write it (the real recordState activity), with the states the table gives.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanOrder, recordAsWorkflow, type TestPrincipalId, useTestApp } from '../helpers/app';

interface Fixture {
  key: string;
  by: 'shop' | 'partner';
  customerId: string;
  channel: string;
  priority: 'normal' | 'urgent';
  total: number;
  submittedAt: string;
  status: string;
  /** Steps awaiting a decision, and whether each is escalated. */
  awaiting: [step: string, escalated: boolean][];
}

/** The world, hand-written: what each filter must find is read off this table. */
const FIXTURES: Fixture[] = [
  { key: 'o1', by: 'shop', customerId: 'C-BIG', channel: 'web', priority: 'normal', total: 1250, submittedAt: '2026-01-05T10:00:00.000Z', status: 'in_review', awaiting: [['credit', false]] },
  { key: 'o2', by: 'shop', customerId: 'C-SMALL', channel: 'partner', priority: 'urgent', total: 1250, submittedAt: '2026-01-06T10:00:00.000Z', status: 'in_review', awaiting: [['credit', true], ['capacity', false]] },
  { key: 'o3', by: 'partner', customerId: 'C-BIG', channel: 'edi', priority: 'normal', total: 125, submittedAt: '2026-01-07T10:00:00.000Z', status: 'approved', awaiting: [] },
  { key: 'o4', by: 'shop', customerId: 'C-BIG', channel: 'sales', priority: 'normal', total: 3400, submittedAt: '2026-01-08T23:30:00.000Z', status: 'changes_requested', awaiting: [] },
  { key: 'o5', by: 'partner', customerId: 'C-SMALL', channel: 'web', priority: 'urgent', total: 1250, submittedAt: '2026-01-10T08:00:00.000Z', status: 'in_review', awaiting: [['final_approval', false]] },
];
const DEPT: Record<string, string> = { credit: 'finance', capacity: 'production', final_approval: 'management' };

describe('order search (GET /v1/orders filters)', () => {
  const env = useTestApp();
  const idOf: Record<string, string> = {};
  const keyOf: Record<string, string> = {};

  beforeAll(async () => {
    for (const f of FIXTURES) {
      const lines =
        f.total === 3400 ? [{ sku: 'BOX-2', quantity: 100, unitPrice: '34.00' }] : [{ sku: 'BOX-1', quantity: f.total === 125 ? 10 : 100, unitPrice: '12.50' }];
      const body = cleanOrder({ customerId: f.customerId, channel: f.channel, priority: f.priority, lines, declaredTotal: `${f.total}.00` });
      const res = await env.ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: env.ctx.auth(f.by), payload: body });
      expect(res.statusCode, res.body).toBe(201);
      const id = body.orderId as string;
      idOf[f.key] = id;
      keyOf[id] = f.key;
      const state = res.json();
      const waiting = new Map(f.awaiting);
      await recordAsWorkflow(env.ctx.db, id, {
        status: f.status as never,
        submittedAt: f.submittedAt,
        completedAt: f.status === 'approved' ? '2026-01-07T11:00:00.000Z' : null,
        awaiting: f.awaiting.map(([s]) => s) as never,
        steps: state.steps.map((s: { step: string }) =>
          waiting.has(s.step)
            ? { ...s, status: 'awaiting_decision', escalated: waiting.get(s.step), dueAt: '2026-02-01T00:00:00.000Z', waitingSince: f.submittedAt }
            : s,
        ),
      });
    }
  });

  const get = (url: string, as: TestPrincipalId, headers: Record<string, string> = {}) =>
    env.ctx.app.inject({ method: 'GET', url, headers: { ...env.ctx.auth(as), ...headers } });

  /** Every page of a query, as fixture keys in list order. */
  async function search(query: string, as: TestPrincipalId = 'auditor', limit = 2): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/orders?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`, as);
      expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
      keys.push(...res.json().items.map((i: { orderId: string }) => keyOf[i.orderId] ?? i.orderId));
      cursor = res.json().nextCursor;
    } while (cursor);
    return keys;
  }
  /** The fixtures a predicate picks, newest first (the list's order). */
  const expected = (pick: (f: Fixture) => boolean, of: Fixture[] = FIXTURES) =>
    of
      .filter(pick)
      .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt))
      .map((f) => f.key);

  const CASES: [string, (f: Fixture) => boolean][] = [
    ['', () => true],
    ['status=in_review', (f) => f.status === 'in_review'],
    ['status=changes_requested', (f) => f.status === 'changes_requested'],
    ['customerId=C-SMALL', (f) => f.customerId === 'C-SMALL'],
    ['awaiting=finance', (f) => f.awaiting.some(([s]) => DEPT[s] === 'finance')],
    ['awaiting=credit', (f) => f.awaiting.some(([s]) => s === 'credit')],
    ['awaiting=production', (f) => f.awaiting.some(([s]) => DEPT[s] === 'production')],
    ['awaiting=final_approval', (f) => f.awaiting.some(([s]) => s === 'final_approval')],
    ['awaiting=management', (f) => f.awaiting.some(([s]) => DEPT[s] === 'management')],
    ['awaiting=sales', () => false],
    ['priority=urgent', (f) => f.priority === 'urgent'],
    ['priority=normal', (f) => f.priority === 'normal'],
    ['channel=web', (f) => f.channel === 'web'],
    ['channel=sales', (f) => f.channel === 'sales'],
    ['escalated=true', (f) => f.awaiting.some(([, e]) => e)],
    ['escalated=false', (f) => !f.awaiting.some(([, e]) => e)],
    // A date `submittedTo` includes that whole day (o4 came at 23:30 UTC on the 8th).
    ['submittedFrom=2026-01-06&submittedTo=2026-01-08', (f) => f.submittedAt >= '2026-01-06' && f.submittedAt < '2026-01-09'],
    ['submittedTo=2026-01-08T23:00:00Z', (f) => f.submittedAt < '2026-01-08T23:00:00.000Z'],
    ['submittedFrom=2026-01-07T10:00:00.000Z', (f) => f.submittedAt >= '2026-01-07T10:00:00.000Z'],
    ['minTotal=1250.00', (f) => f.total >= 1250],
    ['maxTotal=200', (f) => f.total <= 200],
    ['status=in_review&priority=urgent&awaiting=finance', (f) => f.status === 'in_review' && f.priority === 'urgent' && f.awaiting.some(([s]) => s === 'credit')],
    ['channel=web&customerId=C-BIG', (f) => f.channel === 'web' && f.customerId === 'C-BIG'],
  ];

  it.each(CASES)('%s returns exactly the matching orders, across pages', async (query, pick) => {
    const want = expected(pick);
    expect(await search(query)).toEqual(want);
    expect(await search(query, 'admin', 1)).toEqual(want);
  });

  it('the cases are not vacuous: most filters keep some orders and drop others', () => {
    const sizes = CASES.map(([, pick]) => expected(pick).length);
    expect(sizes.filter((n) => n > 0 && n < FIXTURES.length).length).toBeGreaterThanOrEqual(15);
  });

  it('an integrator finds only its own orders; approvers (management too), auditors, admins and erp find all', async () => {
    expect(await search('', 'shop')).toEqual(expected((f) => f.by === 'shop'));
    expect(await search('channel=web', 'shop')).toEqual(expected((f) => f.by === 'shop' && f.channel === 'web'));
    expect(await search('customerId=C-SMALL', 'partner')).toEqual(expected((f) => f.by === 'partner' && f.customerId === 'C-SMALL'));
    for (const as of ['finance', 'sales', 'management', 'erp', 'admin'] as const) {
      expect(await search('status=in_review', as), as).toEqual(expected((f) => f.status === 'in_review'));
    }
  });

  it('summaries show channel and escalation', async () => {
    const res = await get(`/v1/orders?escalated=true`, 'management');
    expect(res.json().items).toEqual([
      expect.objectContaining({ orderId: idOf.o2, channel: 'partner', escalated: true, awaiting: ['credit', 'capacity'], priority: 'urgent' }),
    ]);
  });

  it('CSV (format=csv or Accept: text/csv) has the same rows, with a Link to the next page', async () => {
    const json = (await get('/v1/orders?status=in_review&limit=2', 'auditor')).json();
    const res = await get('/v1/orders?status=in_review&limit=2', 'auditor', { accept: 'text/csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(rows.map((r) => r.orderId)).toEqual(json.items.map((i: { orderId: string }) => i.orderId));
    expect(rows[0]).toMatchObject({ status: 'in_review', total: json.items[0].total, channel: json.items[0].channel, escalated: String(json.items[0].escalated) });
    expect(rows.find((r) => r.orderId === idOf.o2)?.awaiting).toBe('credit capacity');
    expect(res.headers['x-next-cursor']).toBe(json.nextCursor);
    expect(res.headers.link).toBe(`</v1/orders?status=in_review&limit=2&cursor=${json.nextCursor}>; rel="next"`);

    const next = await get(`/v1/orders?status=in_review&limit=2&cursor=${json.nextCursor}&format=csv`, 'auditor');
    const rest: Record<string, string>[] = parse(next.body, { columns: true });
    expect([...rows, ...rest].map((r) => keyOf[r.orderId!])).toEqual(expected((f) => f.status === 'in_review'));
    expect(next.headers.link).toBeUndefined();

    // A CSV export may take up to 5000 rows a page; JSON stays at 200.
    expect((await get('/v1/orders?limit=5000&format=csv', 'admin')).statusCode).toBe(200);
    const big = await get('/v1/orders?limit=300', 'admin');
    expect(big.statusCode).toBe(400);
    expect(big.json().errors).toEqual([{ path: 'limit', message: expect.stringContaining('at most 200') }]);
  });

  it('bad filters are 400 with field errors', async () => {
    for (const [q, path] of [
      ['awaiting=nobody', 'awaiting'],
      ['channel=fax', 'channel'],
      ['escalated=yes', 'escalated'],
      ['submittedFrom=last-week', 'submittedFrom'],
      ['minTotal=-1', 'minTotal'],
      ['priority=high', 'priority'],
      ['limit=5001&format=csv', 'limit'],
    ] as const) {
      const res = await get(`/v1/orders?${q}`, 'admin');
      expect(res.statusCode, q).toBe(400);
      expect(res.json().errors.map((e: { path: string }) => e.path), q).toEqual([path]);
    }
  });
});
