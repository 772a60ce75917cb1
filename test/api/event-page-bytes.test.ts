/**
 * GET /v1/events writes its page from the stored rows with `data` spliced in as stored (api/event-page.ts). These
 * tests hold its answers to the bytes of the implementation before it, rebuilt here: the rows read by drizzle with
 * `data` parsed, mapped by toLoggedEvent, written by fast-json-stringify from the route's response schema — over a
 * log of awkward events written by the real `appendEvents`, for every filter shape and for an integrator's scope.
 */
import { and, asc, eq, gt, inArray, notInArray, type SQL } from 'drizzle-orm';
import fastJson from 'fast-json-stringify';
import { beforeAll, describe, expect, it } from 'vitest';
import { serializationSchemaOf } from '../../api/serializer';
import { eventPage } from '../../api/schemas/events';
import { encodeCursor } from '../../api/pagination';
import { writeTx, type Db } from '../../db/client';
import { appendEvents, materialStream, orderStream, toLoggedEvent } from '../../db/events';
import { orderEvents } from '../../db/schema';
import { type EventType, INTERNAL_EVENT_TYPES, type NewEvent } from '../../domain/events';
import type { StepId } from '../../domain/types';
import { type TestPrincipalId, useTestApp } from '../helpers/app';

/** The route's answer as it was written before: drizzle's rows, parsed, through the schema's serialiser. */
const previousSerialiser = fastJson(serializationSchemaOf(eventPage) as unknown as Parameters<typeof fastJson>[0]) as (page: unknown) => string;
function previousAnswer(
  db: Db,
  q: { after?: string; afterPos?: number; types?: string[]; orderId?: string; scopedTo?: string; limit: number },
): string {
  const where: SQL[] = [];
  if (q.afterPos !== undefined) where.push(gt(orderEvents.pos, q.afterPos));
  if (q.types) where.push(inArray(orderEvents.type, q.types));
  if (q.scopedTo) where.push(notInArray(orderEvents.type, [...INTERNAL_EVENT_TYPES]));
  if (q.orderId !== undefined) where.push(eq(orderEvents.orderId, q.orderId));
  if (q.scopedTo) where.push(eq(orderEvents.submittedBy, q.scopedTo));
  const rows = db.select().from(orderEvents).where(and(...where)).orderBy(asc(orderEvents.pos)).limit(q.limit + 1).all();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return previousSerialiser({ items: page.map(toLoggedEvent), nextCursor: last ? encodeCursor([last.pos]) : (q.after ?? null), hasMore: rows.length > q.limit });
}

let n = 0;
function ev(type: EventType, data: Record<string, unknown>, over: Partial<NewEvent> = {}): NewEvent {
  return { id: `bytes-${++n}`, type, at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), revision: 1, step: null, actor: 'system', data, ...over };
}

const long = 'ä"\\x'.repeat(1500); // over fast-json-stringify's 42- and 5,000-character string paths
const awkward: Record<string, unknown>[] = [
  {},
  { text: 'grüße, 日本語, emoji 😀, combining é, RTL שלום, U+2028 \u2028 U+2029 \u2029, DEL \u007f' },
  { control: '\u0000\u0001\b\t\n\f\r\u001f', quote: '"', backslash: '\\', slash: '/', html: '<script>&</script>' },
  { lone: 'high \ud83d alone, low \ude00 alone, pair 😀' },
  { nested: { a: [1, { b: null, c: [[], {}] }, 'x'], d: { e: { f: { g: true } } } }, empty: [], none: null },
  { numbers: [0, -0, 1.5, -2.25e-7, 1e21, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 0.1 + 0.2] },
  // Integer-like keys come out first in ascending order, wherever they were written.
  { b: 1, 10: 'ten', a: 2, 2: 'two', '-1': 'minus', '01': 'zero-one' },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toJSON": "not a function"}') as Record<string, unknown>,
  { long, [long.slice(0, 60)]: 'a long key' },
  { undefinedDropped: undefined, date: new Date(Date.UTC(2026, 1, 2)), kept: 'yes' },
];

describe('GET /v1/events: the page bytes', () => {
  const h = useTestApp();
  const get = (url: string, as: TestPrincipalId) => h.ctx.app.inject({ method: 'GET', url, headers: h.ctx.auth(as) });

  function seedLog(): { shopOrder: string; partnerOrder: string } {
    const { db } = h.ctx;
    const shopOrder = 'BYTES-SHOP-1';
    const partnerOrder = 'BYTES-PARTNER-1';
    writeTx(db, (tx) => {
      appendEvents(tx, { stream: orderStream(shopOrder), orderId: shopOrder, submittedBy: 'shop' }, [
        ev('order.submitted', { total: '12.50', currency: 'EUR' }, { step: 'intake' }),
        ...awkward.map((data, i) => ev('order.step_decided', data, { step: i % 2 ? 'credit' : 'final_approval', revision: i % 3 ? i : null })),
        ev('order.decision_refused', { reason: 'not your department', status: 403 }, { step: 'credit', actor: 'prodüction "approver"' }),
        ev('order.approved', {}, { step: 'final_approval', actor: 'shop\u2028\t\u{1F600}' }),
      ]);
      appendEvents(tx, { stream: orderStream(partnerOrder), orderId: partnerOrder, submittedBy: 'partner' }, [
        ev('order.submitted', { note: 'partner 🚚' }, { step: 'intake' }),
        ev('order.cancelled', { reason: null }),
      ]);
      appendEvents(tx, { stream: materialStream('M-ÄÖ'), orderId: null, submittedBy: null }, [
        ev('material.below_reorder_point', { materialId: 'M-ÄÖ', available: 3, reorderPoint: 5 }, { revision: null }),
      ]);
    });
    // What migration 0001 wrote (SQLite's json_object for a refusal logged before the event log), and a row whose
    // text no JSON.stringify made: both must come out as the parsed value written again, as before.
    db.$client
      .prepare(
        `insert into order_events (id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data) values
         ('refused-1', ?, 100, ?, 'shop', 'order.decision_refused', '2025-12-31T00:00:00.000Z', null, 'credit', 'finance', json_object('reason', 'late "é"' || char(10), 'status', 409)),
         ('refused-2', ?, 101, ?, 'shop', 'order.step_reminded', '2025-12-31T00:00:01.000Z', 2, 'credit', 'system', '{ "reason" : "spaced", "status" : 409.0, "x": 1E2 }')`,
      )
      .run(orderStream(shopOrder), shopOrder, orderStream(shopOrder), shopOrder);
    return { shopOrder, partnerOrder };
  }

  let shopOrder: string;
  beforeAll(() => {
    ({ shopOrder } = seedLog());
  });

  it('are the previous implementation’s bytes, for every filter shape, page by page', async () => {
    const { db } = h.ctx;
    const cases: { as: TestPrincipalId; query: string; ref: Parameters<typeof previousAnswer>[1] }[] = [
      { as: 'admin', query: 'limit=500', ref: { limit: 500 } },
      { as: 'auditor', query: 'limit=1', ref: { limit: 1 } },
      { as: 'erp', query: 'types=order.step_decided', ref: { types: ['order.step_decided'], limit: 100 } },
      { as: 'admin', query: 'types=order.approved,order.submitted,material.below_reorder_point&limit=2', ref: { types: ['order.approved', 'order.submitted', 'material.below_reorder_point'], limit: 2 } },
      { as: 'admin', query: `orderId=${shopOrder}&limit=4`, ref: { orderId: shopOrder, limit: 4 } },
      { as: 'shop', query: 'limit=500', ref: { scopedTo: 'shop', limit: 500 } },
      { as: 'shop', query: 'limit=3&types=order.step_decided,order.decision_refused', ref: { scopedTo: 'shop', types: ['order.step_decided', 'order.decision_refused'], limit: 3 } },
      { as: 'partner', query: `orderId=${shopOrder}`, ref: { scopedTo: 'partner', orderId: shopOrder, limit: 100 } },
    ];
    let compared = 0;
    for (const c of cases) {
      // Follow the cursor to the end (and one page past it: the last cursor answers an empty page).
      let after: string | undefined;
      let afterPos: number | undefined;
      for (let pages = 0; ; pages++) {
        const res = await get(`/v1/events?${c.query}${after ? `&after=${after}` : ''}`, c.as);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(res.body).toBe(previousAnswer(db, { ...c.ref, after, afterPos }));
        expect(res.headers['content-length']).toBe(String(res.rawPayload.length));
        compared++;
        const page = res.json<{ items: unknown[]; nextCursor: string | null; hasMore: boolean }>();
        if (page.items.length === 0) break;
        expect(pages).toBeLessThan(50);
        after = page.nextCursor!;
        afterPos = (JSON.parse(Buffer.from(after, 'base64url').toString()) as number[])[0];
      }
    }
    expect(compared).toBeGreaterThan(30);

    // The awkward values arrive as they were logged (less what JSON drops: undefined; a Date as its ISO string).
    const all = (await get('/v1/events?limit=500', 'admin')).json<{ items: { id: string; data: unknown }[] }>().items;
    expect(all.filter((e) => e.id.startsWith('bytes-')).map((e) => e.data)).toEqual(
      expect.arrayContaining(awkward.map((d) => JSON.parse(JSON.stringify(d)) as unknown)),
    );
    expect(all.find((e) => e.id === 'refused-2')?.data).toEqual({ reason: 'spaced', status: 409, x: 100 });
    expect((await get('/v1/events?limit=500', 'admin')).body).toContain('"data":{"reason":"spaced","status":409,"x":100}');
  });

  it('an integrator still sees only its own orders and no internal type', async () => {
    const items = (await get('/v1/events?limit=500', 'shop')).json<{ items: { orderId: string | null; type: string }[] }>().items;
    expect(items.length).toBeGreaterThan(awkward.length);
    expect(new Set(items.map((e) => e.orderId))).toEqual(new Set(['BYTES-SHOP-1']));
    expect(items.map((e) => e.type)).not.toContain('order.decision_refused');
    expect(items.map((e) => e.type)).toContain('order.step_reminded'); // refused-2: a public type in shop's order
    const partner = (await get('/v1/events?limit=500', 'partner')).json<{ items: { orderId: string | null }[] }>().items;
    expect(partner.map((e) => e.orderId)).toEqual(['BYTES-PARTNER-1', 'BYTES-PARTNER-1']);
  });

  it('a stored step outside the schema still fails the answer, as it did', async () => {
    const { db } = h.ctx;
    writeTx(db, (tx) =>
      appendEvents(tx, { stream: orderStream('BYTES-BAD'), orderId: 'BYTES-BAD', submittedBy: 'shop' }, [
        ev('order.step_decided', {}, { step: 'no_such_step' as StepId }),
      ]),
    );
    expect(() => previousAnswer(db, { orderId: 'BYTES-BAD', limit: 10 })).toThrow(/does not match schema definition/);
    expect((await get('/v1/events?orderId=BYTES-BAD', 'admin')).statusCode).toBe(500);
  });
});
