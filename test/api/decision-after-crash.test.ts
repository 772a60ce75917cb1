/**
 * A decision sent while a restarted worker catches up is not refused. The worker writes the read model from inside a
 * workflow task (local activities); killed right after it wrote "credit awaits finance" and before the task
 * completed, the read model is ahead of the history. The replacement re-runs the task, and an Update arriving with it
 * meets the state before the checks: before the fix the API answered 409 "step credit has not been reached yet" for
 * a step it showed as awaiting, and audited a refusal (the chaos suite saw it after worker SIGKILLs). The API now
 * retries such a refusal briefly, with the same Update id, while the read model shows the step awaiting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { cleanOrder, createTestApp, type TestApp } from '../helpers/app';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';

const ROOT = path.resolve(__dirname, '../..');
let t: TestClient;
let ctx: TestApp;
let worker: TestWorker | undefined;
let crashWorker: ChildProcess | undefined;

beforeAll(async () => {
  t = await connectTestClient();
  ctx = await createTestApp({ temporal: t.client, taskQueue: uniqueTaskQueue('decision-after-crash'), sweeper: false });
});
afterAll(async () => {
  if (crashWorker && crashWorker.exitCode === null && crashWorker.signalCode === null) crashWorker.kill('SIGKILL');
  await worker?.stop();
  await ctx?.close();
  await t?.connection.close();
});

it('a decision on a step the read model shows awaiting, while the workflow replays behind it, is applied (not 409)', async () => {
  crashWorker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/workflows/fixtures/crash-worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: ctx.config.taskQueue,
      DB_FILE: ctx.config.dbFile,
      CRASH_ON_EVENT: 'order.step_awaiting',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  crashWorker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  crashWorker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const died = new Promise<string | null>((resolve) => crashWorker!.once('exit', (_code, signal) => resolve(signal)));
  await expect.poll(() => output, { timeout: 60_000 }).toContain('worker polling');

  const body = cleanOrder({ customerId: 'C-SMALL' });
  const id = body.orderId as string;
  expect((await ctx.app.inject({ method: 'POST', url: '/v1/orders', headers: ctx.auth('shop'), payload: body })).statusCode).toBe(201);
  // The worker died right after writing "credit awaits finance", inside the task that found it.
  expect(await died).toBe('SIGKILL');
  const shown = (await ctx.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: ctx.auth('finance') })).json();
  expect(shown.awaiting).toContain('credit');

  worker = await startTestWorker({ taskQueue: ctx.config.taskQueue, activities: createActivities(ctx.db), connection: t.connection });
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/v1/orders/${id}/steps/credit/decision`,
    headers: { ...ctx.auth('finance'), 'idempotency-key': `after-crash-${id}` },
    payload: { decision: 'approve' },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().steps.find((s: { step: string }) => s.step === 'credit')).toMatchObject({ status: 'approved' });
  const audit = (await ctx.app.inject({ method: 'GET', url: `/v1/orders/${id}/audit`, headers: ctx.auth('auditor') })).json().events;
  expect(audit.filter((e: { type: string }) => e.type === 'decision_refused')).toEqual([]);
  expect(audit.filter((e: { type: string; step: string }) => e.type === 'decision' && e.step === 'credit')).toHaveLength(1);
}, 90_000);
