/**
 * The replay gate: every committed history (one per path of the workflow, captured by scripts/capture-histories.ts)
 * must replay on the current workflow code. A change that fails here would break orders in flight: put it behind
 * patched() (see the README, "Changing the workflow safely").
 */
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { parseHistory } from '../../api/services/replay';
import { committedHistories } from './histories';

/** The paths the gate must cover; a missing file is a failure, not a silently smaller gate. */
const PATHS = [
  'clean-auto-approval',
  'credit-finding-approved-final-approved',
  'rejected',
  'parallel-awaiting',
  'reminder-escalation-timeout-reject',
  'timeout-expire',
  'changes-amend-approved',
  'changes-requested-expiry',
  'cancel',
  'race-refused',
  'sod-refused',
];

describe('committed histories', () => {
  const all = committedHistories();

  it('cover every path of the workflow, each a closed, consistent order review', () => {
    expect(all.map((h) => h.name)).toEqual(expect.arrayContaining(PATHS));
    for (const { name, json } of all) {
      const parsed = parseHistory(json);
      expect(parsed.inconsistency, name).toBeUndefined();
      const last = parsed.history.events!.at(-1)!;
      expect(last.workflowExecutionCompletedEventAttributes, `${name} ends with the workflow completed`).toBeTruthy();
    }
  });

  it('all replay on the current workflow code', async () => {
    const histories = all.map(({ name, json }) => ({ workflowId: name, history: parseHistory(json).history }));
    const results: { name: string; error: string | null }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
      results.push({ name: r.workflowId, error: r.error ? `${r.error.name}: ${r.error.message}` : null });
    }
    expect(results).toEqual(all.map(({ name }) => ({ name, error: null })));
  });
});
