/**
 * The order search stays fast at 100,000 orders: a read model of that size (1 in 50 orders waiting on finance, 1 in
 * 100 escalated), and each filter's first page is found through an index in list order — no full scan and no sort
 * of every match — well within a time a person would wait for. Counts are checked against how the rows were made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrders, type OrderFilters } from '../../api/services/orders';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import type { Principal } from '../../db/principals';
import { tempDbFile } from '../helpers/fixtures';

const N = 100_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const CHANNELS = ['web', 'sales', 'partner', 'edi'];

describe('order search at 100,000 orders', () => {
  let db: Db;
  const admin = { id: 'admin', roles: ['admin'] } as unknown as Principal;
  const partner = { id: 'partner', roles: ['integrator'] } as unknown as Principal;

  beforeAll(() => {
    db = openDatabase(tempDbFile('order-search-scale'));
    const c = db.$client;
    const order = c.prepare(
      `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
         submitted_at, updated_at, completed_at, state, version) values (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, null, ?, 1)`,
    );
    const inbox = c.prepare(
      `insert into inbox_items (order_id, step, department, customer_id, total_minor, priority, due_at, waiting_since, escalated)
         values (?, 'credit', 'finance', ?, ?, 'normal', ?, ?, ?)`,
    );
    c.transaction(() => {
      for (let i = 0; i < N; i++) {
        const id = `O-${String(i).padStart(6, '0')}`;
        const at = new Date(T0 + i * 60_000).toISOString();
        const waiting = i % 50 === 0;
        const escalated = waiting && i % 100 === 0 ? 1 : 0;
        const status = waiting ? 'in_review' : i % 7 === 0 ? 'rejected' : 'approved';
        const state = JSON.stringify({ awaiting: waiting ? ['credit'] : [] });
        order.run(id, i % 10 === 0 ? 'partner' : 'shop', `C-${i % 500}`, CHANNELS[i % 4], status, i % 20 === 0 ? 'urgent' : 'normal', 1000 + i, escalated, at, at, state);
        if (waiting) inbox.run(id, `C-${i % 500}`, 1000 + i, at, at, escalated);
      }
    })();
  }, 60_000);
  afterAll(() => closeDatabase(db));

  const CASES: [string, Principal, OrderFilters][] = [
    ['no filter', admin, {}],
    ['status', admin, { status: 'in_review' }],
    ['customer', admin, { customerId: 'C-7' }],
    ['customer and status', admin, { customerId: 'C-7', status: 'rejected' }],
    ['channel', admin, { channel: 'edi' }],
    ['priority', admin, { priority: 'urgent' }],
    ['escalated', admin, { escalated: true }],
    ['awaiting a department', admin, { awaiting: 'finance' }],
    ['awaiting a step', admin, { awaiting: 'credit' }],
    ['awaiting nothing there', admin, { awaiting: 'capacity' }],
    ['a day', admin, { submittedFrom: '2026-02-01T00:00:00.000Z', submittedTo: '2026-02-02T00:00:00.000Z' }],
    ["an integrator's own", partner, {}],
    ["an integrator's own, waiting", partner, { status: 'in_review' }],
  ];

  it.each(CASES)('%s: the first page in well under a second', (_name, principal, filters) => {
    listOrders(db, principal, { ...filters, limit: 50 }); // warm the statement cache and the pages
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      listOrders(db, principal, { ...filters, limit: 50 });
      times.push(performance.now() - t);
    }
    // Measured at 1–25 ms on the 2-core machine; a full scan with a sort of 100,000 rows is several times that.
    expect(Math.min(...times)).toBeLessThan(150);
  });

  it('finds exactly what was made', () => {
    const all = (filters: OrderFilters, principal = admin) => {
      let n = 0;
      let cursor: string | undefined;
      do {
        const p = listOrders(db, principal, { ...filters, limit: 200, cursor });
        n += p.items.length;
        cursor = p.nextCursor ?? undefined;
      } while (cursor);
      return n;
    };
    expect(all({ awaiting: 'finance' })).toBe(N / 50);
    expect(all({ escalated: true })).toBe(N / 100);
    expect(all({ submittedFrom: '2026-02-01T00:00:00.000Z', submittedTo: '2026-02-02T00:00:00.000Z' })).toBe(24 * 60);
    expect(all({ status: 'in_review' }, partner)).toBe(N / 50);
  });

  it('the filters use the search indexes (no scan of the whole table, no temporary sort)', () => {
    const plan = (where: string) =>
      db.$client
        .prepare(`explain query plan select order_id from orders where ${where} order by submitted_at desc, order_id desc limit 51`)
        .all()
        .map((r) => (r as { detail: string }).detail)
        .join(' | ');
    expect(plan(`channel = 'edi'`)).toContain('orders_channel');
    expect(plan(`priority = 'urgent'`)).toContain('orders_priority');
    expect(plan(`escalated = 1`)).toContain('orders_escalated');
    expect(plan(`customer_id = 'C-7'`)).toContain('orders_customer_submitted');
    for (const where of [`channel = 'edi'`, `priority = 'urgent'`, `escalated = 1`, `customer_id = 'C-7'`]) {
      expect(plan(where)).not.toMatch(/TEMP B-TREE|SCAN orders$/);
    }
  });
});
