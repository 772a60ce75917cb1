/**
 * S7 and S8: the read paths over a year of orders, each against a plain SELECT of the same rows in the same run.
 * Real orders (clean ones, and one decided by finance and management) are made through the product first; their
 * read-model rows and logged events are then copied, with new ids and times, straight into the SQLite file (like
 * test/db/order-search-scale.test.ts), to `total` orders spread over the 365 days before now.
 * - S8 (first, while the log is small enough to read whole): GET /v1/events from the start to the end by cursor
 *   (500 a page), events/s and the API's CPU per event; baseline: the same rows by `SELECT … WHERE pos > ? ORDER BY
 *   pos LIMIT 501` pages; three rounds, medians.
 * - S7: GET /v1/kpis for the last 30 days and a filtered GET /v1/orders search, p50/p99 over sequential requests;
 *   baseline: the SELECTs those handlers run (the period's KPI facts rows, parsed; the search page) through
 *   better-sqlite3. The copies have no KPI facts rows (they bypass the writers): the first KPI request computes
 *   the period's rows (the lazy backfill of db/kpi-facts.ts), timed on its own as `backfill` before the timed
 *   requests. `eventsSelect` is the SELECT of the period's KPI events the handler ran before the facts rows.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { approveOverHttp, parkOrders } from './s2-decisions';
import { submitAndAwaitApproval } from './s1-throughput';
import { KPI_EVENT_TYPES } from '../../domain/kpis';
import { type Stack, http as httpOnce } from '../lib/stack';
import { cpuSeconds } from '../lib/processes';
import { median, percentile, round } from '../lib/stats';

const DAY = 86_400_000;

/**
 * One retry when the kept-alive socket was closed under the request (the API closes sockets idle for 5 s, and the
 * seeding and the plain SELECTs leave it idle longer): a client-side race, not an answer of the API.
 */
const http: typeof httpOnce = async (...args) => {
  try {
    return await httpOnce(...args);
  } catch (err) {
    if (!/fetch failed/.test(String(err))) throw err;
    return httpOnce(...args);
  }
};
const CHANNELS = ['web', 'sales', 'partner', 'edi'];

interface Template {
  order: Record<string, unknown>;
  events: Record<string, unknown>[];
}

async function makeTemplates(stack: Stack): Promise<string[]> {
  for (let i = 0; i < 3; i++) await submitAndAwaitApproval(stack);
  const [parked] = await parkOrders(stack, 1);
  await approveOverHttp(stack, parked!);
  const r = await http('POST', `${stack.api}/v1/orders/${parked}/steps/final_approval/decision`, stack.tokens.management, { decision: 'approve', comment: 'bench' });
  if (r.status !== 200) throw new Error(`final approval → ${r.status} ${JSON.stringify(r.body)}`);
  return [parked!];
}

/** Copies the template orders into `from..to` new ones, submitted evenly over the year before now. */
function seed(db: Database.Database, templates: Template[], from: number, to: number, total: number, now: number): void {
  const insOrder = db.prepare(
    `insert into orders (order_id, submitted_by, customer_id, channel, status, revision, priority, total_minor, escalated,
       submitted_at, updated_at, completed_at, state, version, history_state)
     values (@order_id, @submitted_by, @customer_id, @channel, @status, @revision, @priority, @total_minor, @escalated,
       @submitted_at, @updated_at, @completed_at, @state, @version, 1)`,
  );
  const insEvent = db.prepare(
    `insert into order_events (id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data)
     values (@id, @stream, @seq, @order_id, @submitted_by, @type, @at, @revision, @step, @actor, @data)`,
  );
  // Seeded orders count as archived (history_state 1 above, and a history row as migration 0010 expects): the API's
  // history archiver would otherwise ask Temporal for each of them.
  const insHistory = db.prepare(`insert into order_histories (order_id, workflow_id, run_id, history) values (?, 'bench-seed', 'bench-seed', '{}')`);
  const start = now - 365 * DAY;
  db.transaction(() => {
    for (let i = from; i < to; i++) {
      const t = templates[i % templates.length]!;
      const oldId = t.order.order_id as string;
      const id = `S7-${String(i).padStart(6, '0')}`;
      const submitted = start + Math.floor((i / total) * 365 * DAY);
      const shift = submitted - Date.parse(t.order.submitted_at as string);
      const at = (s: unknown) => (typeof s === 'string' ? new Date(Date.parse(s) + shift).toISOString() : s);
      const customer = `C-S7-${i % 500}`;
      const swap = (json: string) => json.split(oldId).join(id);
      insOrder.run({
        ...t.order,
        order_id: id,
        customer_id: customer,
        channel: CHANNELS[i % 4],
        submitted_at: at(t.order.submitted_at),
        updated_at: at(t.order.updated_at),
        completed_at: at(t.order.completed_at),
        state: swap(t.order.state as string),
      });
      insHistory.run(id);
      for (const e of t.events) {
        insEvent.run({ ...e, id: `${e.id as string}-${i}`, stream: swap(e.stream as string), order_id: id, at: at(e.at), data: swap(e.data as string) });
      }
    }
  })();
}

function timed(n: number, fn: () => Promise<void> | void): Promise<number[]> {
  return (async () => {
    await fn(); // warm
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn();
      out.push(performance.now() - t);
    }
    return out;
  })();
}

const summary = (ms: number[]) => ({ n: ms.length, p50: round(percentile(ms, 50), 1), p99: round(percentile(ms, 99), 1) });

/** `s7: false` (`--only S8`) stops after S8: the other 95,000 orders and S7's requests are left out. */
export async function runS7S8(stack: Stack, dataDir: string, opts: { total: number; feedOrders: number; kpiRequests: number; searchRequests: number; s7?: boolean }) {
  await makeTemplates(stack);
  const db = new Database(path.join(dataDir, 'app.db'));
  db.pragma('busy_timeout = 5000');
  try {
    // The read model of the last decided order lands a moment after its decision answered.
    const deadline = Date.now() + 30_000;
    while ((db.prepare(`select count(*) from orders where status = 'approved'`).pluck().get() as number) < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const orderRows = db.prepare(`select * from orders`).all() as Record<string, unknown>[];
    const templates: Template[] = orderRows
      .filter((o) => o.status === 'approved')
      .map((order) => ({
        order,
        events: (db.prepare(`select id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data from order_events where order_id = ? order by pos`).all(order.order_id) as Record<string, unknown>[]),
      }));
    if (templates.length < 4) throw new Error(`expected 4 approved template orders, found ${templates.length}: ${orderRows.map((o) => `${o.order_id as string} ${o.status as string}`).join(', ')}`);
    const now = Date.now();

    // S8: the feed end to end, over the first `feedOrders` orders' events (and the templates').
    let t = performance.now();
    seed(db, templates, 0, opts.feedOrders, opts.total, now);
    const seed8Ms = performance.now() - t;
    const eventCount = (db.prepare(`select count(*) from order_events`).pluck().get() as number);
    // Three rounds, each the whole feed over HTTP and then the same pages by plain SELECT: the machine's load moves by
    // the second, so the ratio is taken within each round and the medians are reported.
    const page = db.prepare(`select pos, id, stream, seq, order_id, submitted_by, type, at, revision, step, actor, data from order_events where pos > ? order by pos limit 501`);
    const rounds: { httpEventsPerSec: number; plainSelectEventsPerSec: number; ratio: number; apiCpuUsPerEvent: number; clientCpuUsPerEvent: number }[] = [];
    let read = 0;
    let pages = 0;
    for (let round_ = 0; round_ < 3; round_++) {
      const cpu0 = cpuSeconds(stack.server.proc.pid);
      const client0 = process.cpuUsage();
      t = performance.now();
      read = 0;
      pages = 0;
      let after: string | undefined;
      for (;;) {
        const r = await http<{ items: unknown[]; nextCursor: string | null; hasMore: boolean }>(
          'GET', `${stack.api}/v1/events?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`, stack.tokens.admin,
        );
        if (r.status !== 200) throw new Error(`events → ${r.status}`);
        read += r.body.items.length;
        pages++;
        after = r.body.nextCursor ?? undefined;
        if (!r.body.hasMore) break;
      }
      const feedSec = (performance.now() - t) / 1000;
      const apiCpuSec = cpuSeconds(stack.server.proc.pid) - cpu0;
      // The load generator's own share (fetch, reading and parsing each page): the end-to-end rate pays for it too.
      const client = process.cpuUsage(client0);
      t = performance.now();
      let plain = 0;
      for (let pos = 0; ; ) {
        const rows = page.all(pos) as { pos: number; data: string }[];
        for (const row of rows.slice(0, 500)) JSON.parse(row.data);
        plain += Math.min(rows.length, 500);
        if (rows.length <= 500) break;
        pos = rows[499]!.pos;
      }
      const plainSec = (performance.now() - t) / 1000;
      rounds.push({
        httpEventsPerSec: Math.round(read / feedSec),
        plainSelectEventsPerSec: Math.round(plain / plainSec),
        ratio: round(read / feedSec / (plain / plainSec)),
        apiCpuUsPerEvent: round((apiCpuSec * 1e6) / Math.max(1, read)),
        clientCpuUsPerEvent: round((client.user + client.system) / Math.max(1, read)),
      });
    }
    const med = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f));
    const S8 = {
      events: eventCount,
      read,
      pages,
      httpEventsPerSec: med((r) => r.httpEventsPerSec),
      plainSelectEventsPerSec: med((r) => r.plainSelectEventsPerSec),
      ratio: med((r) => r.ratio),
      apiCpuUsPerEvent: med((r) => r.apiCpuUsPerEvent),
      clientCpuUsPerEvent: med((r) => r.clientCpuUsPerEvent),
      rounds,
      seedMs: Math.round(seed8Ms),
    };
    if (opts.s7 === false) return { S8 };

    // S7: the rest of the year, then KPIs for 30 days and a filtered search.
    t = performance.now();
    seed(db, templates, opts.feedOrders, opts.total, opts.total, now);
    const seed7Ms = performance.now() - t;
    db.exec('analyze');
    // The API closes kept-alive sockets idle for 5 s (seeding took longer): the first request may meet a closed one.
    await http('GET', `${stack.api}/healthz`, stack.tokens.admin).catch(() => undefined);
    const kpis = async () => {
      const r = await http('GET', `${stack.api}/v1/kpis`, stack.tokens.admin);
      if (r.status !== 200) throw new Error(`kpis → ${r.status} ${JSON.stringify(r.body)}`);
    };
    const factRows = () => db.prepare(`select count(*) from order_kpi_facts`).pluck().get() as number;
    const rowsBefore = factRows();
    t = performance.now();
    await kpis();
    const backfill = { ms: round(performance.now() - t, 1), rowsWritten: factRows() - rowsBefore };
    const kpi = await timed(opts.kpiRequests, kpis);
    const from = new Date(now - 30 * DAY).toISOString();
    const to = new Date(now).toISOString();
    const kpiFacts = db.prepare(
      `select o.order_id, f.facts_version, f.facts from orders o left join order_kpi_facts f on f.order_id = o.order_id
       where o.submitted_at >= ? and o.submitted_at < ?`,
    );
    let kpiRows = 0;
    const kpiPlain = await timed(opts.kpiRequests, () => {
      const rows = kpiFacts.all(from, to) as { facts: string | null }[];
      for (const row of rows) if (row.facts !== null) JSON.parse(row.facts);
      kpiRows = rows.length;
    });
    const kpiEvents = db.prepare(
      `select order_id, type, at, step, data from order_events
       where order_id in (select order_id from orders where submitted_at >= ? and submitted_at < ?)
         and type in (${KPI_EVENT_TYPES.map(() => '?').join(',')}) order by order_id, pos`,
    );
    let kpiEventRows = 0;
    const kpiEventsPlain = await timed(opts.kpiRequests, () => {
      const rows = kpiEvents.all(from, to, ...KPI_EVENT_TYPES) as { data: string }[];
      for (const row of rows) JSON.parse(row.data);
      kpiEventRows = rows.length;
    });
    // A search a person would run: one customer's approved orders of the last quarter, first page.
    const customer = 'C-S7-7';
    const since = new Date(now - 90 * DAY).toISOString().slice(0, 10);
    let searchRows = 0;
    const search = await timed(opts.searchRequests, async () => {
      const r = await http<{ items: unknown[] }>('GET', `${stack.api}/v1/orders?customerId=${customer}&status=approved&submittedFrom=${since}&limit=50`, stack.tokens.admin);
      if (r.status !== 200) throw new Error(`search → ${r.status} ${JSON.stringify(r.body)}`);
      searchRows = r.body.items.length;
    });
    const searchStmt = db.prepare(
      `select order_id, status, revision, priority, customer_id, channel, total_minor, escalated, submitted_at, updated_at, completed_at, state
       from orders where customer_id = ? and status = 'approved' and submitted_at >= ? order by submitted_at desc, order_id desc limit 51`,
    );
    const searchPlain = await timed(opts.searchRequests, () => {
      for (const row of searchStmt.all(customer, `${since}T00:00:00.000Z`) as { state: string }[]) JSON.parse(row.state);
    });
    const S7 = {
      orders: opts.total + templates.length,
      events: db.prepare(`select count(*) from order_events`).pluck().get() as number,
      seedMs: Math.round(seed7Ms),
      kpis30Days: {
        http: summary(kpi),
        plainSelect: summary(kpiPlain),
        factRowsRead: kpiRows,
        backfill,
        eventsSelect: summary(kpiEventsPlain),
        eventsRead: kpiEventRows,
        p99TargetMs: 200,
      },
      search: { query: `customerId=${customer}&status=approved&submittedFrom=${since}&limit=50`, rows: searchRows, http: summary(search), plainSelect: summary(searchPlain), p99TargetMs: 50 },
    };
    return { S7, S8 };
  } finally {
    db.close();
  }
}
