/** Proves the integration setup: a real Temporal server, reachable clients, and workers on the shared bundle. */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectTestClient, uniqueTaskQueue, type TestClient } from './helpers/temporal';
import { startTestWorker } from './helpers/worker';

describe('test foundation', () => {
  let t: TestClient;
  beforeAll(async () => {
    t = await connectTestClient();
  });
  afterAll(async () => {
    await t?.connection.close();
  });

  it('reaches the Temporal server started by the global setup', async () => {
    const info = await t.client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.capabilities?.sdkMetadata).toBe(true);
  });

  it('serves the default namespace', async () => {
    const ns = await t.client.workflowService.describeNamespace({ namespace: inject('temporalNamespace') });
    expect(ns.namespaceInfo?.name).toBe('default');
  });

  it('runs and stops a worker on the pre-built workflow bundle', async () => {
    expect(fs.statSync(inject('workflowBundlePath')).size).toBeGreaterThan(0);
    const { worker, stop } = await startTestWorker({ taskQueue: uniqueTaskQueue('foundation'), connection: t.connection });
    expect(worker.getState()).toBe('RUNNING');
    await stop();
    expect(worker.getState()).toBe('STOPPED');
  });
});
