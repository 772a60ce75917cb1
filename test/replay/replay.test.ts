/**
 * The replay gate: every committed history (one per path of the workflow, captured by scripts/capture-histories.ts)
 * must replay on the current workflow code. A change that fails here would break orders in flight: put it behind
 * patched() (see the README, "Changing the workflow safely").
 */
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { parseHistory } from '../../api/services/replay';
import { RELAY_WORKFLOW_TYPE } from '../../workflows/relay-messages';
import { WORKFLOW_TYPE } from '../../workflows/messages';
import { committedHistories } from './histories';

const TYPES = { workflowTypes: [WORKFLOW_TYPE, RELAY_WORKFLOW_TYPE] };

/** The paths each release's histories must cover; a missing file is a failure, not a silently smaller gate. */
const V1_0 = [
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
const RELEASES: Record<string, string[]> = {
  'v1.0': V1_0,
  // v1.1: the same paths on the new code (search attributes, evidence, events), and the new ones.
  'v1.1': [
    ...V1_0,
    'recheck-credit-auto-approved',
    'claim-assign-approved',
    'delegated-decision',
    're-review-date-kept',
    'business-calendar-decided',
    'search-attributes-indexed',
    'relay-webhook-deleted',
  ],
};
// v1.2: every path again with Updates made durable before their effect (workflows/handlers.ts durable()).
RELEASES['v1.2'] = RELEASES['v1.1']!;

describe('committed histories', () => {
  const all = committedHistories();

  it('cover every path of the workflow, each a closed, consistent order review', () => {
    for (const [release, paths] of Object.entries(RELEASES)) {
      expect(all.filter((h) => h.release === release).map((h) => h.path), release).toEqual(expect.arrayContaining(paths));
    }
    for (const { name, json } of all) {
      const parsed = parseHistory(json, TYPES);
      expect(parsed.inconsistency, name).toBeUndefined();
      const last = parsed.history.events!.at(-1)!;
      expect(last.workflowExecutionCompletedEventAttributes, `${name} ends with the workflow completed`).toBeTruthy();
    }
  });

  it('all replay on the current workflow code', async () => {
    const histories = all.map(({ name, json }) => ({ workflowId: name, history: parseHistory(json, TYPES).history }));
    const results: { name: string; error: string | null }[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
      results.push({ name: r.workflowId, error: r.error ? `${r.error.name}: ${r.error.message}` : null });
    }
    expect(results).toEqual(all.map(({ name }) => ({ name, error: null })));
  });
});
