/**
 * A decision is durable before anything it causes reaches the database. An Update is only in the workflow's history
 * once the workflow task that accepted it completes; until then the Temporal server holds it in memory, and a
 * restart of the server forgets it. The worker writes the read model through local activities inside that task, so
 * before the fix a worker killed right after the write, with the server restarted before the task completed, left
 * the read model (and the event log, the webhooks, the released holds) saying "rejected" for an order whose workflow
 * still waited for finance, and a client's retry with the same Idempotency-Key was answered from that read model.
 * The chaos suite found it (whole tree SIGKILLed: orders approved or rejected in the read model, RUNNING in Temporal).
 *
 * Here the worker dies at exactly that point (test/workflows/fixtures/crash-worker.ts) and the dev server (its own,
 * persisted in a temp DATA_DIR, as npm start runs it) is SIGKILLed and started again: the decision must survive, and
 * the workflow and the read model must agree.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { Db } from '../../db/client';
import { materialReservations, orders } from '../../db/schema';
import { freePorts } from '../../scripts/cluster/processes';
import { startDevServer } from '../../scripts/dev-server';
import { resolveTemporalCli } from '../../scripts/temporal-cli';
import { getOrderStateQuery } from '../../workflows/messages';
import { createTestDb, normalised } from '../helpers/fixtures';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startTestWorker, type TestWorker } from '../helpers/worker';
import { awaitingOf, decide, finance, startOrder, until } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const taskQueue = uniqueTaskQueue('durable-update');
let db: Db;
let dataDir: string;
let ports: number[];
let cli: string;
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

const devServerPid = () => Number.parseInt(fs.readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'), 10);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startServer(): Promise<void> {
  await startDevServer({ cli, dataDir, port: ports[0]!, uiPort: ports[1]!, namespace: 'default', log: () => {} });
}

beforeAll(async () => {
  db = createTestDb();
  dataDir = path.join(path.dirname(db.$client.name), 'temporal');
  ports = await freePorts(2);
  cli = (await resolveTemporalCli({ build: false }))!;
  await startServer();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of cleanups.reverse()) await f().catch(() => undefined);
  try {
    const pid = devServerPid();
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  } catch {
    // no server left
  }
});

it('a decision whose workflow task died with the worker and the server survives, and the read model agrees', async () => {
  const address = `127.0.0.1:${ports[0]}`;
  const connection = await Connection.connect({ address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: 'default' });

  const crashWorker = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/crash-worker.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, TASK_QUEUE: taskQueue, DB_FILE: db.$client.name, CRASH_ON_EVENT: 'order.step_decided' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(crashWorker);
  let output = '';
  crashWorker.stdout.on('data', (d: Buffer) => (output += d.toString()));
  crashWorker.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const died = new Promise<string | null>((resolve) => crashWorker.once('exit', (_code, signal) => resolve(signal)));
  await expect.poll(() => output, { timeout: 60_000 }).toContain('worker polling');

  const order = normalised({ customerId: 'C-SMALL' });
  const h = await startOrder(client, taskQueue, order);
  await until(h, awaitingOf('credit'));
  const held = () =>
    db.select().from(materialReservations).where(and(eq(materialReservations.orderId, order.orderId), isNull(materialReservations.releasedAt))).all().length;
  expect(held()).toBeGreaterThan(0);

  // The decision goes out on a connection of its own, as from an API process that dies with the rest of the tree.
  const apiConnection = await Connection.connect({ address });
  const apiHandle = new Client({ connection: apiConnection, namespace: 'default' }).workflow.getHandle(h.workflowId);
  const sent = decide(apiHandle as typeof h, 'credit', 'reject', finance, 'over the limit').catch((err: unknown) => err);
  expect(await died).toBe('SIGKILL');
  await apiConnection.close();
  await sent;

  // The whole tree is down: the server too, before the dead worker's task could time out.
  const pid = devServerPid();
  process.kill(pid, 'SIGKILL');
  await expect.poll(() => alive(pid)).toBe(false);
  await startServer();

  const workerConnection = await NativeConnection.connect({ address });
  const worker: TestWorker = await startTestWorker({ taskQueue, activities: createActivities(db), connection: workerConnection });
  cleanups.push(async () => {
    await worker.stop();
    await workerConnection.close();
  });

  // The decision survived: the workflow ends rejected, the read model says the same, the holds are released.
  const fresh = new Client({ connection, namespace: 'default' }).workflow.getHandle(h.workflowId);
  await expect.poll(async () => (await fresh.query(getOrderStateQuery)).status, { timeout: 30_000, interval: 250 }).toBe('rejected');
  expect(await fresh.result()).toMatchObject({ status: 'rejected' });
  const row = db.select({ status: orders.status, state: orders.state }).from(orders).where(eq(orders.orderId, order.orderId)).get();
  expect(row?.status).toBe('rejected');
  expect(held()).toBe(0);
}, 120_000);
