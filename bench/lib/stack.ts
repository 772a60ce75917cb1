/**
 * One product stack for a benchmark: worker.ts and server.ts as separate processes (the production shape)
 * against a given Temporal server, a fresh DATA_DIR, and master data + principals created over HTTP.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Database from 'better-sqlite3';
import { TERMINAL_STATUSES } from '../../domain/types';
import { type Child, freePort, spawnTs } from './processes';

const ROOT = path.resolve(__dirname, '../..');

export interface Stack {
  api: string;
  worker: Child;
  /** Every worker process (`worker` is the first). */
  workers: Child[];
  server: Child;
  client: Client;
  connection: Connection;
  tokens: { admin: string; shop: string; finance: string; management: string };
  /** The stack's DATA_DIR (its app.db). */
  dataDir: string;
  stop(): Promise<void>;
}

export const BENCH_TASK_QUEUE = 'bench-order-review';

/** `taskQueue`: a stack beside another on the same Temporal server needs its own, or their workers share tasks. */
export async function startStack(opts: { temporalAddress: string; dir: string; policy?: object; name: string; workers?: number; taskQueue?: string }): Promise<Stack> {
  const dataDir = path.join(opts.dir, opts.name);
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const admin = `bench-admin-${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: opts.temporalAddress,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    TASK_QUEUE: opts.taskQueue ?? BENCH_TASK_QUEUE,
    ADMIN_TOKEN: admin,
    LOG_LEVEL: 'warn',
    // The load generator is one principal: the production default would throttle it after 600 requests.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // S6's webhook receiver runs on loopback, in the load generator.
    WEBHOOK_ALLOW_PRIVATE: 'true',
  };
  if (opts.policy) {
    const file = path.join(dataDir, 'policy.json');
    fs.writeFileSync(file, JSON.stringify(opts.policy));
    env.REVIEW_POLICY_FILE = file;
  }
  // The server creates the schema and the admin; start it first so the worker finds a migrated db.
  const server = await spawnTs('server', path.join(ROOT, 'server.ts'), {
    env,
    ready: /listening|ready|started/i,
    logFile: path.join(dataDir, 'server.log'),
  });
  const api = `http://127.0.0.1:${port}`;
  // Up (and its database migrated) first; ready — a worker polls — once the workers run.
  await waitFor(`${api}/healthz`);
  const workers = await Promise.all(
    Array.from({ length: opts.workers ?? 1 }, (_, i) =>
      spawnTs(`worker-${i}`, path.join(ROOT, 'worker.ts'), {
        env,
        ready: /worker polling/,
        logFile: path.join(dataDir, i === 0 ? 'worker.log' : `worker-${i}.log`),
      }),
    ),
  );
  const worker = workers[0]!;
  await waitFor(`${api}/readyz`);
  const connection = await Connection.connect({ address: opts.temporalAddress });
  const client = new Client({ connection });
  const tokens = await seed(api, admin);
  return {
    api,
    worker,
    workers,
    server,
    client,
    connection,
    tokens,
    dataDir,
    stop: async () => {
      await connection.close();
      await Promise.all([...workers.map((w) => w.stop()), server.stop()]);
    },
  };
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never answered 200`);
}

export async function http<T = unknown>(method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function must(method: string, url: string, token: string, body?: unknown): Promise<any> {
  const res = await http(method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Master data for clean orders (C-BENCH) and for orders that park at credit (C-PARK: no credit line). */
async function seed(api: string, admin: string): Promise<Stack['tokens']> {
  await must('PUT', `${api}/v1/capacity`, admin, { hoursPerDay: 2400 });
  await must('PUT', `${api}/v1/materials/M-BENCH`, admin, { name: 'Bench board', onHand: 2_000_000_000 });
  await must('PUT', `${api}/v1/products/BOX-BENCH`, admin, {
    name: 'Bench box', unitPrice: '12.50', hoursPerUnit: 0.001, materials: [{ materialId: 'M-BENCH', quantityPerUnit: 1 }],
  });
  const customer = { tier: 'vip', openBalance: '0.00', allowedPaymentTerms: ['NET30'], onHold: false };
  await must('PUT', `${api}/v1/customers/C-BENCH`, admin, { name: 'Bench clean', creditLimit: '9999999999.00', ...customer });
  await must('PUT', `${api}/v1/customers/C-PARK`, admin, { name: 'Bench parked', creditLimit: '0.00', ...customer });
  const mk = async (id: string, roles: string[]) => (await must('POST', `${api}/v1/principals`, admin, { id, name: id, roles })).token as string;
  return {
    admin,
    shop: await mk('bench-shop', ['integrator']),
    finance: await mk('bench-finance', ['approver:finance']),
    management: await mk('bench-management', ['approver:management']),
  };
}

let seq = 0;
/** A clean order body (or one that parks at credit), with a unique id. */
export function orderBody(kind: 'clean' | 'park'): { orderId: string } & Record<string, unknown> {
  const delivery = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  return {
    orderId: `B-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}`,
    customerId: kind === 'clean' ? 'C-BENCH' : 'C-PARK',
    channel: 'edi',
    currency: 'CNY',
    requestedDeliveryDate: delivery,
    paymentTerms: 'NET30',
    lines: [{ sku: 'BOX-BENCH', quantity: 10, unitPrice: '12.50' }],
    declaredTotal: '125.00',
  };
}

/**
 * Waits until the API's history archiver has archived every finished order (orders.history_state), up to `timeoutMs`;
 * returns the ms waited. A measured loop starts with no backlog, so it pays for archiving its own orders and not for
 * the loop before it (the archiver keeps up with the load, taking CPU from whatever runs at the same time).
 */
export async function archiveDrained(stack: Stack, timeoutMs = 60_000): Promise<number> {
  const db = new Database(path.join(stack.dataDir, 'app.db'), { readonly: true });
  try {
    const pending = db.prepare(
      `select count(*) as n from orders where history_state = 0 and status in (${TERMINAL_STATUSES.map((st) => `'${st}'`).join(', ')})`,
    );
    const started = Date.now();
    while ((pending.get() as { n: number }).n > 0 && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 100));
    return Date.now() - started;
  } finally {
    db.close();
  }
}
