/**
 * Audit, history, replay and the archive, over HTTP on the real app (buildApp plus the audit routes and the
 * archiver), a real worker and the run's Temporal dev server.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildApp } from '../../api/app';
import { archiveHistory, fetchOrderHistory, fetchTemporalHistory } from '../../api/services/history';
import { recordRefusedDecision } from '../../api/services/orders';
import { loadConfig, loadReviewPolicy } from '../../config';
import { closeDatabase, type Db } from '../../db/client';
import { createPrincipal } from '../../db/principals';
import { orderHistories } from '../../db/schema';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { workflowIdFor } from '../../workflows/messages';
import { createTestDb, normalised } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { awaitingOf, decide, finance, management, type OrderHandle, startOrder, until } from '../workflows/helpers';

const run = promisify(execFile);

let tc: TestClient;
let db: Db;
let worker: TestWorker;
let app: FastifyInstance;
let dataDir: string;
const taskQueue = uniqueTaskQueue('audit');
const suffix = randomUUID();
const token = { auditor: `tok-auditor-${suffix}`, admin: `tok-admin-${suffix}`, finance: `tok-finance-${suffix}` };
const as = (who: keyof typeof token) => ({ authorization: `Bearer ${token[who]}` });

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
  worker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: tc.connection });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-audit-'));
  const config = loadConfig({ DATA_DIR: dataDir, TASK_QUEUE: taskQueue });
  createPrincipal(db, { id: 'auditor-1', name: 'Auditor', roles: ['auditor'], token: token.auditor });
  createPrincipal(db, { id: 'admin-1', name: 'Admin', roles: ['admin'], token: token.admin });
  createPrincipal(db, { id: 'finance-x', name: 'Finance', roles: ['approver:finance'], token: token.finance });
  app = await buildApp({
    config,
    db,
    temporal: tc.client,
    policy: loadReviewPolicy(config),
    sweeper: false,
    rateLimit: { max: 10_000 },
    audit: { replayQueueWaitMs: 30_000 },
    archiver: { intervalMs: 200 },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await worker?.stop();
  await tc?.connection.close();
  if (db) closeDatabase(db);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** C-SMALL's credit finding: finance approves with a reason, a refused attempt is kept, management approves. */
async function decidedOrder(): Promise<{ h: OrderHandle; orderId: string }> {
  const order = normalised({ customerId: 'C-SMALL' });
  const h = await startOrder(tc.client, taskQueue, order);
  await until(h, awaitingOf('credit'));
  // What the decision route stores when the workflow refuses an attempt (here: wrong department).
  recordRefusedDecision(db, { orderId: order.orderId, step: 'credit', actor: 'sales-9', status: 403, reason: 'step credit is decided by finance' });
  await decide(h, 'credit', 'approve', finance, 'long-standing customer, limit raise pending');
  await decide(h, 'final_approval', 'approve', management, 'ok');
  await h.result();
  return { h, orderId: order.orderId };
}

const replay = (body: unknown, who: keyof typeof token = 'auditor') =>
  app.inject({ method: 'POST', url: '/v1/replay', headers: as(who), payload: body as Record<string, unknown> });

describe('audit timeline', () => {
  it('lists submission, checks with findings, decisions with who and why, the outcome and a refused attempt', async () => {
    const { orderId } = await decidedOrder();
    const res = await app.inject({ url: `/v1/orders/${orderId}/audit`, headers: as('auditor') });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ orderId: string; events: { at: string; type: string; step: string | null; actor: string; detail: Record<string, unknown> }[] }>();
    expect(body.orderId).toBe(orderId);
    const ev = body.events;
    expect(ev[0]).toMatchObject({ type: 'submitted', step: 'intake', actor: 'shop' });
    expect(ev).toContainEqual(
      expect.objectContaining({
        type: 'check_completed',
        step: 'credit',
        actor: 'system',
        detail: expect.objectContaining({ outcome: 'findings', findings: [expect.objectContaining({ code: 'CREDIT_LIMIT_EXCEEDED' })] }),
      }),
    );
    expect(ev).toContainEqual(
      expect.objectContaining({ type: 'decision', step: 'credit', actor: 'fin-1', detail: { decision: 'approve', comment: 'long-standing customer, limit raise pending' } }),
    );
    expect(ev).toContainEqual(expect.objectContaining({ type: 'decision', step: 'final_approval', actor: 'mgmt-1' }));
    expect(ev).toContainEqual(
      expect.objectContaining({ type: 'decision_refused', step: 'credit', actor: 'sales-9', detail: expect.objectContaining({ status: 403, reason: 'step credit is decided by finance' }) }),
    );
    expect(ev.at(-1)).toMatchObject({ type: 'outcome', detail: { status: 'approved' } });
    const times = ev.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('is for auditors and admins only, and 404 for an unknown order', async () => {
    expect((await app.inject({ url: '/v1/orders/NOPE-1/audit' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/orders/NOPE-1/audit', headers: as('finance') })).statusCode).toBe(403);
    const res = await app.inject({ url: `/v1/orders/NOPE-${randomUUID().slice(0, 8)}/history`, headers: as('admin') });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('history and replay', () => {
  let orderId: string;
  let history: { events: Record<string, unknown>[] };

  beforeAll(async () => {
    orderId = (await decidedOrder()).orderId;
    const res = await app.inject({ url: `/v1/orders/${orderId}/history`, headers: as('auditor') });
    expect(res.statusCode).toBe(200);
    history = res.json();
  });

  it('a history from Temporal replays deterministic', async () => {
    expect(history.events[0]).toMatchObject({ eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' });
    const res = await replay(history);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ workflowId: workflowIdFor(orderId), deterministic: true });
  });

  it('a history exported by the Temporal CLI replays deterministic', async () => {
    // The suite's dev server runs this very CLI (test/global-setup.ts builds it when missing), so it is always here.
    const cli = await resolveTemporalCli({ build: false });
    if (!cli) throw new Error('no Temporal CLI in the cache although the suite started its dev server with one');
    const { stdout } = await run(cli, [
      'workflow', 'show', '--output', 'json', '--workflow-id', workflowIdFor(orderId),
      '--address', inject('temporalAddress'), '--namespace', inject('temporalNamespace'),
    ], { maxBuffer: 64 * 1024 * 1024 });
    const exported = JSON.parse(stdout) as { events: unknown[] };
    expect(exported.events.length).toBe(history.events.length);
    const res = await replay(exported, 'admin');
    expect(res.json()).toEqual({ workflowId: workflowIdFor(orderId), deterministic: true });
  });

  it('a tampered history is not deterministic: an activity renamed, events reordered, events removed', async () => {
    // Every activity is local: its marker records the activity type, so rename it there.
    const renamed = structuredClone(history);
    const marker = renamed.events.find((e) => e.eventType === 'EVENT_TYPE_MARKER_RECORDED') as {
      markerRecordedEventAttributes: { details: { data: { payloads: { data: string }[] } } };
    };
    const payload = marker.markerRecordedEventAttributes.details.data.payloads[0]!;
    const meta = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { activity_type: string };
    payload.data = Buffer.from(JSON.stringify({ ...meta, activity_type: 'approveEverything' })).toString('base64');
    const r1 = (await replay(renamed)).json<{ deterministic: boolean; error: string }>();
    expect(r1).toMatchObject({ deterministic: false, error: expect.stringContaining('approveEverything') });

    // Swap two events and keep the ids in sequence, as a careless edit would.
    const swapped = structuredClone(history);
    [swapped.events[4], swapped.events[5]] = [swapped.events[5]!, swapped.events[4]!];
    swapped.events.forEach((e, i) => (e.eventId = String(i + 1)));
    expect((await replay(swapped)).json()).toMatchObject({ deterministic: false });

    const reordered = { events: [history.events[0], ...history.events.slice(1).reverse()] };
    expect((await replay(reordered)).json()).toMatchObject({ deterministic: false, error: expect.stringContaining('out of order') });

    const gap = { events: [...history.events.slice(0, 10), ...history.events.slice(14)] };
    expect((await replay(gap)).json()).toMatchObject({ deterministic: false });
  });

  it('hostile input answers 4xx, never 5xx', async () => {
    const raw = (payload: string, contentType = 'application/json') =>
      app.inject({ method: 'POST', url: '/v1/replay', headers: { ...as('auditor'), 'content-type': contentType }, payload });
    expect((await raw('{"events": [')).statusCode).toBe(400);
    expect((await raw('"a string"')).statusCode).toBe(400);
    const noEvents = await raw('{"events": []}');
    expect(noEvents.statusCode).toBe(400);
    expect(noEvents.json().errors).toEqual([expect.objectContaining({ path: 'events' })]);
    expect((await raw('{"hello": "world"}')).statusCode).toBe(400);
    expect((await raw(JSON.stringify({ events: [{ eventId: '1', eventType: 'EVENT_TYPE_TIMER_FIRED', timerFiredEventAttributes: {} }] }))).statusCode).toBe(400);

    const otherType = structuredClone(history) as { events: { workflowExecutionStartedEventAttributes?: { workflowType: { name: string } } }[] };
    otherType.events[0]!.workflowExecutionStartedEventAttributes!.workflowType.name = 'moneyTransferWorkflow';
    const wrong = await replay(otherType);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().detail).toContain('moneyTransferWorkflow');

    const huge = await raw(JSON.stringify({ events: [{ eventId: '1', eventType: 'x', pad: 'x'.repeat(21 * 1024 * 1024) }] }));
    expect(huge.statusCode).toBe(413);

    expect((await replay(history, 'finance')).statusCode).toBe(403);
  });

  it('concurrent replays are served one at a time and all answer', async () => {
    const results = await Promise.all([replay(history), replay(history), replay(history)]);
    expect(results.map((r) => r.json().deterministic)).toEqual([true, true, true]);
  });
});

describe('archive', () => {
  it('keeps history, audit and replay working after Temporal forgets the order', async () => {
    const { h, orderId } = await decidedOrder();
    const live = await app.inject({ url: `/v1/orders/${orderId}/audit`, headers: as('auditor') });
    expect(live.json().source).toBe('temporal');

    // The archiver plugin picks the finished order up by itself.
    const deadline = Date.now() + 20_000;
    while (!db.select().from(orderHistories).where(eq(orderHistories.orderId, orderId)).get()) {
      if (Date.now() > deadline) throw new Error('the archiver did not archive the finished order');
      await new Promise((r) => setTimeout(r, 100));
    }

    const { runId } = await h.describe();
    await tc.client.workflowService.deleteWorkflowExecution({
      namespace: inject('temporalNamespace'),
      workflowExecution: { workflowId: h.workflowId, runId },
    });
    // Deletion is asynchronous: the dev server drops a closed execution about 30 s after the request.
    const gone = Date.now() + 100_000;
    while (await fetchTemporalHistory(tc.client, orderId)) {
      if (Date.now() > gone) throw new Error('Temporal did not delete the workflow');
      await new Promise((r) => setTimeout(r, 100));
    }

    const audit = await app.inject({ url: `/v1/orders/${orderId}/audit`, headers: as('auditor') });
    expect(audit.statusCode).toBe(200);
    expect(audit.json()).toEqual({ ...live.json(), source: 'archive' });

    const history = await app.inject({ url: `/v1/orders/${orderId}/history`, headers: as('admin') });
    expect(history.statusCode).toBe(200);
    expect(history.headers['x-history-source']).toBe('archive');
    expect((await replay(history.json())).json()).toMatchObject({ deterministic: true });
  }, 150_000);

  it('leaves a running order alone and archives idempotently', async () => {
    const order = normalised({ customerId: 'C-SMALL' });
    const h = await startOrder(tc.client, taskQueue, order);
    await until(h, awaitingOf('credit'));
    const deps = { db, temporal: tc.client };
    expect(await archiveHistory(deps, order.orderId)).toBe('running');
    expect((await fetchOrderHistory(deps, order.orderId))?.source).toBe('temporal');
    await h.terminate('test over');
    expect(await archiveHistory(deps, order.orderId)).toBe('archived');
    expect(await archiveHistory(deps, order.orderId)).toBe('archived');
    expect(db.select().from(orderHistories).where(eq(orderHistories.orderId, order.orderId)).all()).toHaveLength(1);
    expect(await archiveHistory(deps, `never-${randomUUID()}`)).toBe('not_found');
  });
});
