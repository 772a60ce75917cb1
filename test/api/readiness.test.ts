/**
 * /readyz answers 200 only when the API reaches the database and Temporal AND a worker polls the task queue;
 * otherwise 503 problem+json naming what is missing. The answer is cached briefly so probes stay cheap.
 */
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, useTestApp } from '../helpers/app';
import { startTestWorker, type TestWorker } from '../helpers/worker';

const readyz = (app: { inject: (o: { method: 'GET'; url: string }) => Promise<{ statusCode: number; json(): { detail?: string; status?: string }; headers: Record<string, unknown> }> }) =>
  app.inject({ method: 'GET', url: '/readyz' });

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await fn();
  }
  return v;
}

describe('readiness', () => {
  const env = useTestApp();
  let worker: TestWorker | undefined;
  afterAll(async () => {
    await worker?.stop();
  });

  it('503 naming the task queue while no worker polls it', async () => {
    const res = await readyz(env.ctx.app);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'urn:order-review:problem:unavailable' });
    expect(res.json().detail).toContain(`no worker is polling task queue ${env.ctx.config.taskQueue}`);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('200 once a worker polls the task queue', async () => {
    worker = await startTestWorker({ taskQueue: env.ctx.config.taskQueue, connection: env.t.connection });
    const res = await until(() => readyz(env.ctx.app), (r) => r.statusCode === 200, 10_000);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('answers a burst of probes from one cached check', async () => {
    const spy = vi.spyOn(env.ctx.app.temporal.workflowService, 'describeTaskQueue');
    await new Promise((r) => setTimeout(r, 2_100)); // past the cache
    const answers = await Promise.all(Array.from({ length: 50 }, () => readyz(env.ctx.app)));
    expect(answers.every((r) => r.statusCode === 200)).toBe(true);
    expect(spy.mock.calls.length).toBe(1);
    spy.mockRestore();
  });

  it('503 naming Temporal when it cannot be reached', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const other = await createTestApp({ temporal: new Client({ connection }), sweeper: false });
    try {
      const res = await readyz(other.app);
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toMatch(/Temporal/);
    } finally {
      await other.close();
      await connection.close();
    }
  });
});
