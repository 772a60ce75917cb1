/**
 * Where the time of one Update-driven request went, read back from the workflow's own history: the gaps between
 * consecutive history events inside the request's window, each named by the pair of events around it
 * ("WorkflowTaskScheduled → WorkflowTaskStarted" is the wait for a worker to poll, "…Started → …Completed" the
 * worker's task, "ActivityTaskScheduled → ActivityTaskStarted" the activity's queue), plus the load generator's own
 * lateness (intended start → sent), sent → first event (API and frontend), and last event → answer received (the way
 * back). Bench process, API, worker and the dev server share one clock, so the gaps add up to the request's latency.
 */
import type { Client } from '@temporalio/client';
import { percentile, round } from './stats';

export interface TimedCall {
  workflowId: string;
  /** Epoch ms: when the open loop meant to start the call, when it sent it, when the answer arrived. */
  dueMs: number;
  sentMs: number;
  doneMs: number;
}

/**
 * An event's name from the one `…EventAttributes` field it carries (workflowTaskStartedEventAttributes →
 * WorkflowTaskStarted), so no enum table from a transitive package is needed.
 */
function eventName(event: object): string {
  for (const [k, v] of Object.entries(event)) {
    if (v != null && k.endsWith('EventAttributes')) return k[0]!.toUpperCase() + k.slice(1, -'EventAttributes'.length);
  }
  return 'Unknown';
}

function toMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** The segments of one call, in ms, keyed by name; they sum to doneMs - dueMs. */
export async function splitCall(client: Client, call: TimedCall): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(call.workflowId).fetchHistory();
  const inWindow = (history.events ?? [])
    .map((e) => ({ name: eventName(e), at: toMs(e.eventTime) }))
    .filter((e) => e.at >= call.sentMs - 1 && e.at <= call.doneMs + 1);
  const out: Record<string, number> = { 'load generator late (due → sent)': call.sentMs - call.dueMs };
  const add = (k: string, ms: number) => {
    out[k] = (out[k] ?? 0) + ms;
  };
  if (inWindow.length === 0) {
    add('sent → answer (no history event in the window)', call.doneMs - call.sentMs);
    return out;
  }
  add(`sent → first event (${inWindow[0]!.name})`, Math.max(0, inWindow[0]!.at - call.sentMs));
  for (let i = 1; i < inWindow.length; i++) add(`${inWindow[i - 1]!.name} → ${inWindow[i]!.name}`, inWindow[i]!.at - inWindow[i - 1]!.at);
  add('last event → answer received', Math.max(0, call.doneMs - inWindow.at(-1)!.at));
  return out;
}

/**
 * The slowest 1 % of `calls` (at least `minTail`) against a sample from around the median, each segment's median
 * over the calls of its group: which gaps grow in the tail.
 */
export async function splitTail(client: Client, calls: TimedCall[], opts: { minTail?: number; sample?: number } = {}) {
  const byLatency = [...calls].sort((a, b) => a.doneMs - a.dueMs - (b.doneMs - b.dueMs));
  const tailCount = Math.max(opts.minTail ?? 5, Math.ceil(calls.length / 100));
  const tail = byLatency.slice(-tailCount);
  const mid = Math.floor(byLatency.length / 2);
  const half = Math.floor((opts.sample ?? 10) / 2);
  const median = byLatency.slice(Math.max(0, mid - half), mid + half);
  const summarise = async (group: TimedCall[]) => {
    const splits = await Promise.all(group.map((c) => splitCall(client, c)));
    const keys = new Set(splits.flatMap((s) => Object.keys(s)));
    const segments: Record<string, number> = {};
    for (const k of keys) segments[k] = round(percentile(splits.map((s) => s[k] ?? 0), 50));
    return { calls: group.length, latencyMs: round(percentile(group.map((c) => c.doneMs - c.dueMs), 50)), segments };
  };
  return { tail: await summarise(tail), median: await summarise(median) };
}
