/**
 * Proves the replay gate catches what it must: the same change to the workflow, made without and with patched(),
 * against the committed histories (orders that were in flight when the change shipped).
 */
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseHistory } from '../../api/services/replay';
import { createActivities } from '../../activities';
import { closeDatabase, type Db } from '../../db/client';
import { createTestDb, normalised } from '../helpers/fixtures';
import { connectTestClient, type TestClient, uniqueTaskQueue } from '../helpers/temporal';
import { startOrder } from '../workflows/helpers';
import { committedHistories } from './histories';

const bundle = (variant: string): Promise<WorkflowBundle> =>
  bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'variants', `${variant}.ts`), logger: new DefaultLogger('WARN') });

async function replayAll(code: WorkflowBundle, histories: { name: string; json: unknown }[]) {
  const input = histories.map(({ name, json }) => ({ workflowId: name, history: parseHistory(json).history }));
  const out: { name: string; error: string | null }[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: code }, input)) {
    out.push({ name: r.workflowId, error: r.error ? r.error.name : null });
  }
  return out;
}

let unpatched: WorkflowBundle;
let patched: WorkflowBundle;
// The variants change the order review (the relay workflow is not in their bundles).
const histories = committedHistories().filter((h) => h.workflowType === 'orderReviewWorkflow');

beforeAll(async () => {
  // Sequential: two webpack builds side by side on a small CI machine only slow each other down.
  unpatched = await bundle('unpatched');
  patched = await bundle('patched');
});

describe('changing the workflow', () => {
  it('without patched(): every committed history is reported non-deterministic', async () => {
    const results = await replayAll(unpatched, histories);
    expect(results).toEqual(histories.map(({ name }) => ({ name, error: 'DeterminismViolationError' })));
  });

  it('behind patched(): every committed history still replays', async () => {
    const results = await replayAll(patched, histories);
    expect(results).toEqual(histories.map(({ name }) => ({ name, error: null })));
  });

  describe('a new order on the patched code', () => {
    let tc: TestClient;
    let db: Db;
    beforeAll(async () => {
      tc = await connectTestClient();
      db = createTestDb();
    });
    afterAll(async () => {
      await tc?.connection.close();
      if (db) closeDatabase(db);
    });

    it('takes the new path, records the patch marker, and its history replays on the patched code', async () => {
      const taskQueue = uniqueTaskQueue('patched');
      const worker = await Worker.create({
        connection: tc.connection,
        namespace: inject('temporalNamespace'),
        taskQueue,
        workflowBundle: patched,
        activities: createActivities(db),
        shutdownGraceTime: '1s',
      });
      const history = await worker.runUntil(async () => {
        const h = await startOrder(tc.client, taskQueue, normalised());
        expect(await h.result()).toMatchObject({ status: 'approved' });
        return h.fetchHistory();
      });
      const events = history.events ?? [];
      expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
      expect(events.some((e) => e.timerStartedEventAttributes)).toBe(true);
      await Worker.runReplayHistory({ workflowBundle: patched }, history, 'patched-new-order');
    });
  });
});
