/**
 * A worker process killed with SIGKILL in the middle of a review: the production entry point (worker.ts) runs
 * as a child process; a decision sent while no worker is alive is taken by its replacement, and nothing the
 * first worker did is lost or done twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Db } from '../../db/client';
import { capacityBookings, materialReservations, orders } from '../../db/schema';
import { createTestDb, normalised } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { awaitingOf, decide, finance, management, startOrder, until } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const taskQueue = uniqueTaskQueue('crash');
let tc: TestClient;
let db: Db;
const children: ChildProcess[] = [];

/** Starts worker.ts as its own process on the test's database and task queue; resolves once it polls. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TASK_QUEUE: taskQueue,
      DATA_DIR: path.dirname(db.$client.name),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling:\n${output}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  tc = await connectTestClient();
  db = createTestDb();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) await kill(c);
  await tc?.connection.close();
});

it('resumes after SIGKILL with nothing lost or done twice', async () => {
  const first = await startWorkerProcess();
  const order = normalised({ customerId: 'C-SMALL' });
  const h = await startOrder(tc.client, taskQueue, order);
  await until(h, awaitingOf('credit'));
  await kill(first);

  // Sent while no worker is alive: Temporal keeps it until a worker takes the workflow task.
  const decided = decide(h, 'credit', 'approve', finance, 'after the crash');
  await startWorkerProcess();
  const afterCredit = await decided;
  expect(afterCredit.awaiting).toEqual(['final_approval']);
  await decide(h, 'final_approval', 'approve', management);
  expect(await h.result()).toMatchObject({ status: 'approved' });

  const reservations = db
    .select()
    .from(materialReservations)
    .where(and(eq(materialReservations.orderId, order.orderId), isNull(materialReservations.releasedAt)))
    .all();
  expect(reservations).toEqual([expect.objectContaining({ materialId: 'M-KRAFT', quantity: 200 })]);
  const booked = db.select().from(capacityBookings).where(eq(capacityBookings.orderId, order.orderId)).all();
  expect(booked.reduce((s, b) => s + b.hours, 0)).toBeCloseTo(0.1);
  await expect.poll(() => db.select().from(orders).where(eq(orders.orderId, order.orderId)).get()?.status).toBe('approved');
});
