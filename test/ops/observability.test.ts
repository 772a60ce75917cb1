/**
 * Operations insight through real processes: server.ts and worker.ts spawned as a deployment runs them, against the
 * run's Temporal dev server (search attributes registered as npm start registers them). One journey — an order over
 * its customer's credit limit, decided by finance and then management — and what an operator sees of it: /metrics
 * of both processes (Prometheus text whose counters move), JSON log lines with the order id, X-Request-Id, and
 * `temporal workflow list --query` finding the order by the department it awaits.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../db/client';
import { createPrincipal, ensureAdmin } from '../../db/principals';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { notifications } from '../../db/schema';
import { cleanOrder, seedMasterData } from '../helpers/app';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';
import { parsePrometheus, type Sample, sampleValue } from '../helpers/prometheus';
import { uniqueTaskQueue } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '../..');
const taskQueue = uniqueTaskQueue('ops');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-ops-'));
const METRICS_TOKEN = `metrics-${randomUUID()}`;
const tokens = {
  admin: `tok-admin-${randomUUID()}`,
  shop: `tok-shop-${randomUUID()}`,
  finance: `tok-finance-${randomUUID()}`,
  management: `tok-management-${randomUUID()}`,
};

interface Proc {
  child: ChildProcess;
  /** Everything the process wrote to stdout so far, and to stderr. */
  out: () => string;
  err: () => string;
  match: RegExpMatchArray;
}

/** Every child started, from its spawn on: one that hangs before its ready line is killed after a failed setup too. */
const children: ChildProcess[] = [];

function startProcess(file: string, ready: RegExp, env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TASK_QUEUE: taskQueue,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      METRICS_TOKEN,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = out.match(ready);
      if (match) {
        resolve({ child, out: () => out, err: () => err, match });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready:\n${out}\n${err}`)));
  });
}

let api: Proc;
let worker: Proc;
let base: string;
let workerMetricsUrl: string;
let receiver: Receiver;

beforeAll(async () => {
  const db = openDatabase(path.join(dataDir, 'app.db'));
  seedMasterData(db);
  ensureAdmin(db, tokens.admin);
  createPrincipal(db, { id: 'shop', name: 'shop', roles: ['integrator'], token: tokens.shop });
  // With an address each, so the mail relay tells them (logged: no SMTP_URL) when a step waits for them.
  createPrincipal(db, { id: 'finance', name: 'finance', roles: ['approver:finance'], token: tokens.finance, email: 'finance@example.com' });
  createPrincipal(db, { id: 'management', name: 'management', roles: ['approver:management'], token: tokens.management, email: 'management@example.com' });
  closeDatabase(db);
  [worker, api] = await Promise.all([
    startProcess('worker.ts', /worker metrics on (http:\/\/\S+\/metrics)/, { WORKER_METRICS_PORT: '0' }).then(async (w) => {
      // Bundling the workflow code takes a while on a loaded 2-core machine.
      await waitUntil(() => w.out().includes('worker polling'), 'the worker to poll', 90_000);
      return w;
    }),
    startProcess('server.ts', /API listening on (http:\/\/\S+?) /, { PORT: '0' }),
  ]);
  base = api.match[1]!;
  workerMetricsUrl = worker.match[1]!;
  receiver = await startReceiver();
  const hook = await call('POST', '/v1/webhooks', 'admin', { url: receiver.url });
  expect(hook.status).toBe(201);
  receiver.setSecret(hook.json.secret);
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
  await receiver?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function call(method: string, p: string, who: keyof typeof tokens, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as any) : null };
}

async function metrics(url: string): Promise<Sample[]> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

async function awaitingStep(orderId: string, step: string): Promise<void> {
  await waitUntil(async () => (await call('GET', `/v1/orders/${orderId}`, 'admin')).json?.awaiting?.includes(step), `${orderId} to await ${step}`);
}

/** Order workflows the real CLI lists for a visibility query (against the test dev server). */
async function listWorkflows(query: string): Promise<string[]> {
  const cli = await resolveTemporalCli({ build: false });
  if (!cli) throw new Error('no Temporal CLI (global setup found one: it must be here)');
  const { stdout } = await promisify(execFile)(cli, [
    'workflow', 'list', '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace'), '--query', query, '--output', 'json',
  ]);
  const rows = stdout.trim() ? (JSON.parse(stdout) as { execution: { workflowId: string } }[]) : [];
  return rows.map((r) => r.execution.workflowId);
}

const DECISION_ROUTE = { method: 'POST', route: '/v1/orders/:orderId/steps/:step/decision', status_code: '200' };
const SUBMIT_ROUTE = { method: 'POST', route: '/v1/orders', status_code: '201' };

describe('an order decided by finance and management, as an operator sees it', () => {
  const order = cleanOrder({ customerId: 'C-SMALL' }); // 1250.00 over a 1000.00 limit: finance decides credit
  const orderId = order.orderId as string;
  let before: Sample[];

  it('submits with a caller X-Request-Id (kept and echoed) and metrics move: in review, finance awaiting', async () => {
    before = await metrics(`${base}/metrics`);
    const submitted = await call('POST', '/v1/orders', 'shop', order, { 'x-request-id': `journey-${orderId}` });
    expect(submitted.status).toBe(201);
    expect(submitted.headers.get('x-request-id')).toBe(`journey-${orderId}`);
    await awaitingStep(orderId, 'credit');
    // As the console polls it.
    expect((await call('GET', '/v1/inbox', 'finance')).json.items).toContainEqual(expect.objectContaining({ orderId, step: 'credit' }));

    const now = await metrics(`${base}/metrics`);
    const submits = (s: Sample[]) => sampleValue(s, 'http_request_duration_seconds_count', SUBMIT_ROUTE) ?? 0;
    expect(submits(now) - submits(before)).toBe(1);
    expect(sampleValue(now, 'order_review_orders_by_status', { status: 'in_review' })).toBe(1);
    expect(sampleValue(now, 'order_review_steps_awaiting', { department: 'finance' })).toBe(1);
    expect(sampleValue(now, 'order_review_steps_awaiting', { department: 'management' })).toBe(0);
    expect(sampleValue(now, 'order_review_oldest_waiting_seconds', { department: 'finance' })).toBeGreaterThanOrEqual(0);
    // The route pattern, never the raw URL: no series names an order id.
    expect(now.filter((s) => Object.values(s.labels).some((v) => v.includes(orderId)))).toEqual([]);
  });

  it('temporal workflow list --query finds it by the department it awaits, and only there', async () => {
    const wf = `order-${orderId}`;
    await waitUntil(async () => (await listWorkflows(`OrderAwaitingDepartments = 'finance' AND WorkflowId = '${wf}'`)).includes(wf), 'the CLI to list it under finance');
    expect(await listWorkflows(`OrderAwaitingDepartments = 'management' AND WorkflowId = '${wf}'`)).toEqual([]);
    expect(await listWorkflows(`OrderStatus = 'in_review' AND OrderCustomerId = 'C-SMALL' AND WorkflowId = '${wf}'`)).toEqual([wf]);
  });

  it('finance then management decide; the request counter of the decision route and orders_by_status follow', async () => {
    expect((await call('POST', `/v1/orders/${orderId}/steps/credit/decision`, 'finance', { decision: 'approve' })).status).toBe(200);
    await awaitingStep(orderId, 'final_approval');
    const wf = `order-${orderId}`;
    await waitUntil(async () => (await listWorkflows(`OrderAwaitingDepartments = 'management' AND WorkflowId = '${wf}'`)).includes(wf), 'the CLI to list it under management');
    expect(await listWorkflows(`OrderAwaitingDepartments = 'finance' AND WorkflowId = '${wf}'`)).toEqual([]);

    expect((await call('POST', `/v1/orders/${orderId}/steps/final_approval/decision`, 'management', { decision: 'approve' })).status).toBe(200);
    await waitUntil(async () => (await call('GET', `/v1/orders/${orderId}`, 'admin')).json?.status === 'approved', 'approval');

    const after = await metrics(`${base}/metrics`);
    const decisions = (s: Sample[]) => sampleValue(s, 'http_request_duration_seconds_count', DECISION_ROUTE) ?? 0;
    expect(decisions(after) - decisions(before)).toBe(2);
    expect(sampleValue(after, 'order_review_orders_by_status', { status: 'in_review' })).toBe(0);
    expect(sampleValue(after, 'order_review_orders_by_status', { status: 'approved' })).toBe(1);
    expect(sampleValue(after, 'order_review_steps_awaiting', { department: 'finance' })).toBe(0);
  });

  it("the worker's /metrics: activity, webhook and notification counters, and the Temporal SDK's own metrics", async () => {
    // Every delivery the receiver answered 2xx is counted, the approval's last; each mail the relay logged too.
    const delivered = (s: Sample[]) => sampleValue(s, 'order_review_webhook_deliveries_total', { outcome: 'delivered' });
    const approvedArrived = () => receiver.delivered().some((d) => d.body.type === 'order.approved' && d.body.data.orderId === orderId);
    await waitUntil(async () => approvedArrived() && delivered(await metrics(workerMetricsUrl)) === receiver.delivered().length, 'the approval delivered and counted');
    const samples = await metrics(workerMetricsUrl);
    expect(delivered(samples)).toBeGreaterThanOrEqual(4); // submitted, awaiting, decided ×2, approved …
    expect(sampleValue(samples, 'order_review_webhook_deliveries_total', { outcome: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'order_review_webhook_delivery_lag_seconds_count', { outcome: 'delivered' })).toBe(delivered(samples));
    const db = openDatabase(path.join(dataDir, 'app.db'), { migrate: false });
    try {
      // The mail relay is a workflow of its own, woken apart from the webhook's: on a loaded machine it may be later.
      const loggedNow = () => db.select().from(notifications).all().filter((n) => n.status === 'logged').length;
      await waitUntil(async () => loggedNow() >= 2 && sampleValue(await metrics(workerMetricsUrl), 'order_review_notifications_total', { status: 'logged' }) === loggedNow(), 'both mails logged and counted', 40_000);
      const logged = loggedNow();
      const samples = await metrics(workerMetricsUrl);
      expect(logged).toBeGreaterThanOrEqual(2); // finance, then management, were told
      expect(sampleValue(samples, 'order_review_notifications_total', { status: 'logged' })).toBe(logged);
    } finally {
      closeDatabase(db);
    }
    expect(sampleValue(samples, 'order_review_activity_executions_total', { activity: 'recordState', outcome: 'completed' })).toBeGreaterThan(0);
    const sdk = samples.filter((s) => s.name.startsWith('temporal_'));
    expect(sdk.length).toBeGreaterThan(0);
    expect(sdk.some((s) => s.labels.task_queue === taskQueue)).toBe(true);
  });

  it('every log line of both processes is one JSON object with level, time and process name; review lines name the order', async () => {
    // Workflow log lines reach the Runtime logger after the activation that wrote them: wait for the last one.
    await waitUntil(() => worker.out().includes('"msg":"order review finished"'), 'the outcome line in the worker log');
    const lines = (p: Proc) => p.out().split('\n').filter((l) => l.trim());
    const parse = (l: string) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not JSON: ${l}`);
      }
    };
    // The worker writes the relay's mail lines after their rows; on a loaded machine its stdout may not be read yet.
    await waitUntil(() => lines(worker).filter((l) => l.includes('notification (no SMTP_URL')).length >= 2, "the mail relay's lines", 20_000);
    const apiLines = lines(api).map(parse);
    const workerLines = lines(worker).map(parse);
    for (const [name, ls] of [['api', apiLines], ['worker', workerLines]] as const) {
      for (const l of ls) {
        expect(l).toMatchObject({ name, level: expect.stringMatching(/^(trace|debug|info|warn|error|fatal)$/), msg: expect.any(String) });
        expect(Number.isNaN(Date.parse(String(l.time)))).toBe(false);
      }
    }
    expect(api.err()).toBe('');
    expect(worker.err()).toBe('');

    // The workflow's review lines: waiting for finance, then management; each decision; the outcome.
    const review = workerLines.filter((l) => l.orderId === orderId);
    const said = (msg: string) => review.filter((l) => l.msg === msg);
    expect(said('step awaiting a decision').map((l) => [l.step, l.department, l.principal])).toEqual([
      ['credit', 'finance', 'shop'],
      ['final_approval', 'management', 'shop'],
    ]);
    expect(said('decision landed').map((l) => [l.step, l.principal, l.decision])).toEqual([
      ['credit', 'finance', 'approve'],
      ['final_approval', 'management', 'approve'],
    ]);
    // The outcome's actor is the workflow (it concluded from management's approval); the submitter is named too.
    expect(said('order review finished')).toEqual([expect.objectContaining({ status: 'approved', principal: 'system', submittedBy: 'shop' })]);
    // The mails the relay logged (no SMTP_URL) name the order and come through the activity's context.
    const mails = workerLines.filter((l) => String(l.msg).startsWith('notification (no SMTP_URL'));
    expect(mails.length).toBeGreaterThanOrEqual(2);
    for (const m of mails) expect(m).toMatchObject({ orderId, sdkComponent: 'activity', activityType: 'relayDeliver' });
    // Any worker line about this order's workflow names the order.
    for (const l of workerLines.filter((l) => l.workflowId === `order-${orderId}`)) expect(l.orderId).toBe(orderId);

    // The API: the submit line carries the caller's request id; decisions carry order and principal.
    expect(apiLines.filter((l) => l.requestId === `journey-${orderId}`)).toEqual([
      expect.objectContaining({ msg: 'request completed', route: '/v1/orders', statusCode: 201, principal: 'shop' }),
    ]);
    const decided = apiLines.filter((l) => l.route === DECISION_ROUTE.route && l.orderId === orderId);
    expect(decided.map((l) => l.principal)).toEqual(['finance', 'management']);
    // Polling, probes and scrapes (GET /v1/orders/:orderId every 100 ms here, the inbox, /metrics) stay below info.
    for (const route of ['/v1/orders/:orderId', '/v1/inbox', '/metrics']) expect(apiLines.filter((l) => l.route === route)).toEqual([]);
    // … while what people did is there: each submit and decision.
    expect(apiLines.filter((l) => l.msg === 'request completed' && l.method === 'POST').length).toBeGreaterThanOrEqual(4);
    expect(apiLines.filter((l) => l.msg === 'incoming request')).toEqual([]);
    // No webpack statistics from bundling the workflow code.
    expect(workerLines.filter((l) => /webpack|modules by path|compiled successfully/i.test(String(l.msg)))).toEqual([]);
  });
});

describe('/metrics and X-Request-Id at the door', () => {
  it('needs the token when METRICS_TOKEN is set: 401 problem without it or with a wrong one (API and worker)', async () => {
    for (const url of [`${base}/metrics`, workerMetricsUrl]) {
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token' }, { authorization: `Bearer ${tokens.admin}` }];
      for (const headers of attempts) {
        const res = await fetch(url, { headers });
        expect(res.status, url).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(((await res.json()) as { status: number }).status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
  });

  it('makes an X-Request-Id when none or an unsafe one comes, and echoes it', async () => {
    const none = await fetch(`${base}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['x'.repeat(129), 'two words', 'semi;colon', '<script>', '"quoted"']) {
      const res = await fetch(`${base}/healthz`, { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const problem = await fetch(`${base}/v1/orders`, { headers: { 'x-request-id': 'req-401.check' } });
    expect(problem.status).toBe(401);
    expect(problem.headers.get('x-request-id')).toBe('req-401.check');
  });
});
