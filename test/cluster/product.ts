/**
 * The product in its production shape for the cluster suite: worker.ts and server.ts as separate processes
 * (`node --import tsx`, as `npx tsx` runs them), all on one DATA_DIR, pointed at a cluster through the same
 * TEMPORAL_* variables an operator sets; and an HTTP client that retries the way the API tells clients to.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DEPARTMENTS, STEP_DEPARTMENT, type StepId } from '../../domain/types';
import { freePorts, type PidRegistry, type Proc, spawnLogged, waitFor } from '../../scripts/cluster/processes';

const ROOT = path.resolve(__dirname, '../..');

export interface ProductOptions {
  dir: string;
  clientEnv: Record<string, string>;
  workers: number;
  apis: number;
  registry?: PidRegistry;
}

export interface Product {
  dataDir: string;
  taskQueue: string;
  adminToken: string;
  apis: string[];
  workers: Proc[];
  servers: Proc[];
  /** SIGKILLs worker `i`. */
  killWorker(i: number): Promise<void>;
  /** Starts worker `i` again (after a kill); resolves once it polls. */
  startWorker(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startProduct(opts: ProductOptions): Promise<Product> {
  const dataDir = path.join(opts.dir, 'data');
  const logs = path.join(opts.dir, 'product-logs');
  fs.mkdirSync(logs, { recursive: true });
  const taskQueue = `cluster-${randomBytes(4).toString('hex')}`;
  const adminToken = `cluster-admin-${randomBytes(18).toString('hex')}`;
  const ports = await freePorts(opts.apis);
  const env = {
    ...opts.clientEnv,
    DATA_DIR: dataDir,
    TASK_QUEUE: taskQueue,
    ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // One load principal would hit the production limit (600/min) within seconds.
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const workers: Proc[] = [];
  const servers: Proc[] = [];
  const all = () => [...workers, ...servers];
  const tsx = (name: string, file: string, extra: Record<string, string> = {}) =>
    spawnLogged(name, process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
      cwd: ROOT,
      env: { ...env, ...extra },
      logFile: path.join(logs, `${name}.log`),
      registry: opts.registry,
    });
  const startServer = async (i: number): Promise<void> => {
    const proc = (servers[i] = tsx(`server-${i}`, 'server.ts', { PORT: String(ports[i]) }));
    const url = `http://127.0.0.1:${ports[i]}`;
    // /healthz: the process listens (its database is migrated). /readyz also wants a polling worker: waited for below.
    await waitFor(`${proc.name} /healthz`, () => fetch(`${url}/healthz`).then((r) => r.ok), { timeoutMs: 90_000, proc });
  };
  const incarnations: number[] = [];
  const startWorker = async (i: number): Promise<void> => {
    // A log file per incarnation: "worker polling" in the killed one's log must not pass for its successor's.
    const n = (incarnations[i] = (incarnations[i] ?? 0) + 1);
    const proc = (workers[i] = tsx(n === 1 ? `worker-${i}` : `worker-${i}.${n}`, 'worker.ts'));
    await waitFor(`${proc.name} polling`, async () => fs.readFileSync(proc.logFile, 'utf8').includes('worker polling'), { timeoutMs: 120_000, proc });
  };
  try {
    // The first API migrates the shared database; the others start once it exists.
    await startServer(0);
    await Promise.all([
      ...Array.from({ length: opts.apis - 1 }, (_, i) => startServer(i + 1)),
      ...Array.from({ length: opts.workers }, (_, i) => startWorker(i)),
    ]);
    await Promise.all(
      ports.map((p, i) =>
        waitFor(`server-${i} /readyz`, () => fetch(`http://127.0.0.1:${p}/readyz`).then((r) => r.ok), { timeoutMs: 90_000, proc: servers[i] }),
      ),
    );
  } catch (err) {
    await Promise.all(all().map((p) => p.kill()));
    throw err;
  }
  return {
    dataDir,
    taskQueue,
    adminToken,
    apis: ports.map((p) => `http://127.0.0.1:${p}`),
    workers,
    servers,
    killWorker: (i) => workers[i]!.kill(),
    startWorker,
    stop: async () => {
      await Promise.all(all().map((p) => p.stop(15_000)));
    },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

/** Statuses a careful client retries (with the same body / Idempotency-Key): the API's own advice on 5xx and 429. */
const RETRY = new Set([429, 500, 502, 503, 504]);

export interface RetryStats {
  /** Retried responses by status ("network" for a failed connection). */
  retried: Record<string, number>;
}

export async function call<T = any>(
  stats: RetryStats,
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
  deadlineMs = 120_000,
): Promise<HttpResult<T>> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    let res: HttpResult<T> | undefined;
    let reason: string;
    try {
      const r = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await r.text();
      res = { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
      if (!RETRY.has(r.status)) return res;
      reason = String(r.status);
    } catch (err) {
      reason = 'network';
      if (Date.now() > deadline) throw err;
    }
    stats.retried[reason] = (stats.retried[reason] ?? 0) + 1;
    if (Date.now() > deadline) return res!;
    await new Promise((r) => setTimeout(r, Math.min(2_000, 200 * 2 ** attempt)));
  }
}

export async function must<T = any>(stats: RetryStats, method: string, url: string, token: string, body?: unknown): Promise<T> {
  const res = await call<T>(stats, method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const MATERIAL = 'M-CLUSTER';
export const SKU = 'BOX-CLUSTER';
/** Per order: 10 units × 2 of the material, 10 × 0.01 h. */
export const UNITS_PER_ORDER = 20;
export const HOURS_PER_ORDER = 0.1;
export const CLEAN_CUSTOMER = 'C-CL-CLEAN';
/** A credit line below one order's total: credit waits for finance. */
export const TIGHT_CUSTOMER = 'C-CL-TIGHT';

export type Tokens = Record<'shop' | (typeof DEPARTMENTS)[number], string>;

/** Master data and principals, through the API as an ERP and an admin would. */
export async function seed(stats: RetryStats, api: string, admin: string): Promise<Tokens> {
  await must(stats, 'PUT', `${api}/v1/capacity`, admin, { hoursPerDay: 2400 });
  await must(stats, 'PUT', `${api}/v1/materials/${MATERIAL}`, admin, { name: 'Cluster board', onHand: 1_000_000 });
  await must(stats, 'PUT', `${api}/v1/products/${SKU}`, admin, {
    name: 'Cluster box',
    unitPrice: '12.50',
    hoursPerUnit: 0.01,
    materials: [{ materialId: MATERIAL, quantityPerUnit: 2 }],
  });
  const customer = { openBalance: '0.00', allowedPaymentTerms: ['NET30'], onHold: false };
  await must(stats, 'PUT', `${api}/v1/customers/${CLEAN_CUSTOMER}`, admin, { name: 'Clean', tier: 'vip', creditLimit: '99999999.00', ...customer });
  await must(stats, 'PUT', `${api}/v1/customers/${TIGHT_CUSTOMER}`, admin, { name: 'Tight', tier: 'standard', creditLimit: '100.00', ...customer });
  const principal = async (id: string, roles: string[]): Promise<string> =>
    (await must<{ token: string }>(stats, 'POST', `${api}/v1/principals`, admin, { id, name: id, roles })).token;
  const tokens: Partial<Tokens> = { shop: await principal('cluster-shop', ['integrator']) };
  for (const d of DEPARTMENTS) tokens[d] = await principal(`cluster-${d}`, [`approver:${d}`]);
  return tokens as Tokens;
}

export function orderBody(orderId: string, customerId: string): Record<string, unknown> {
  return {
    orderId,
    customerId,
    channel: 'edi',
    currency: 'CNY',
    requestedDeliveryDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    paymentTerms: 'NET30',
    lines: [{ sku: SKU, quantity: 10, unitPrice: '12.50' }],
    declaredTotal: '125.00',
  };
}

export function departmentOf(step: string): (typeof DEPARTMENTS)[number] {
  const d = STEP_DEPARTMENT[step as StepId];
  if (!d || d === 'system') throw new Error(`no department decides step ${step}`);
  return d;
}
