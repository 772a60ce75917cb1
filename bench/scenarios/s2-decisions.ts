/**
 * S2: decision → next step latency. Orders parked at credit (a customer with no credit line); finance
 * approves over HTTP at fixed rates; the answer arrives once final_approval awaits. Baseline: the same
 * Update sent with the raw Temporal client (no HTTP, no API).
 */
import { decideUpdate, workflowIdFor } from '../../workflows/messages';
import { splitTail, type TimedCall } from '../lib/history-split';
import { closedLoop, openLoop } from '../lib/load';
import { type Stack, http, orderBody } from '../lib/stack';
import { percentile, round } from '../lib/stats';

/** Submits `n` orders that wait at credit and returns their ids once all of them wait. */
export async function parkOrders(stack: Stack, n: number, concurrency = 32): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const body = orderBody('park');
        const res = await http('POST', `${stack.api}/v1/orders`, stack.tokens.shop, body);
        if (res.status !== 201) throw new Error(`park → ${res.status} ${JSON.stringify(res.body)}`);
        ids.push(body.orderId);
      }
    }),
  );
  // Wait until every one of them is visible in finance's inbox (the read model says it awaits).
  for (const id of ids) {
    for (;;) {
      const r = await http<{ awaiting: string[] }>('GET', `${stack.api}/v1/orders/${id}`, stack.tokens.admin);
      if (r.body.awaiting?.includes('credit')) break;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  return ids;
}

export async function approveOverHttp(stack: Stack, orderId: string): Promise<void> {
  const r = await http<{ awaiting: string[] }>('POST', `${stack.api}/v1/orders/${orderId}/steps/credit/decision`, stack.tokens.finance, {
    decision: 'approve',
    comment: 'bench',
  });
  if (r.status !== 200 || !r.body.awaiting.includes('final_approval')) throw new Error(`decision → ${r.status} ${JSON.stringify(r.body)}`);
}

export async function approveRaw(stack: Stack, orderId: string): Promise<void> {
  const s = await stack.client.workflow.getHandle(workflowIdFor(orderId)).executeUpdate(decideUpdate, {
    args: [{ step: 'credit', decision: 'approve', comment: 'bench', actor: { id: 'bench-finance', departments: ['finance'] } }],
  });
  if (!s.awaiting.includes('final_approval')) throw new Error('raw decision did not move the order on');
}

export async function runS2(stack: Stack, opts: { seconds: number }) {
  // The maximum: a closed loop of 16 approvers on a pool of parked orders.
  const pool = await parkOrders(stack, 400);
  let i = 0;
  const max = await closedLoop(16, Math.min(opts.seconds, 5) * 1000, async () => {
    const id = pool[i++];
    if (!id) throw new Error('pool exhausted');
    await approveOverHttp(stack, id);
  });
  const maxRate = max.completed / max.seconds;
  const phases: Record<string, { rate: number; p50: number; p99: number; failed: number }> = {};
  let rawAtHalf: { p50: number; p99: number } | undefined;
  let tailAt50: Awaited<ReturnType<typeof splitTail>> | undefined;
  for (const pct of [10, 50, 80]) {
    const rate = Math.max(1, (maxRate * pct) / 100);
    const count = Math.max(20, Math.round(rate * opts.seconds));
    const ids = await parkOrders(stack, count);
    const calls: TimedCall[] = [];
    const res = await openLoop(rate, count, async (k, dueMs) => {
      const sentMs = performance.timeOrigin + performance.now();
      await approveOverHttp(stack, ids[k]!);
      calls.push({ workflowId: workflowIdFor(ids[k]!), dueMs, sentMs, doneMs: performance.timeOrigin + performance.now() });
    });
    phases[`${pct}%`] = { rate: round(rate), p50: round(percentile(res.latenciesMs, 50)), p99: round(percentile(res.latenciesMs, 99)), failed: res.failed };
    if (pct === 50) {
      // Where the slowest decisions spent their time, from their histories (after the phase: no load added).
      tailAt50 = await splitTail(stack.client, calls);
      const rawIds = await parkOrders(stack, count);
      const raw = await openLoop(rate, count, (k) => approveRaw(stack, rawIds[k]!));
      rawAtHalf = { p50: round(percentile(raw.latenciesMs, 50)), p99: round(percentile(raw.latenciesMs, 99)) };
    }
  }
  return {
    maxDecisionsPerSec: round(maxRate),
    phases,
    rawClientAt50: rawAtHalf,
    p99RatioAt50: rawAtHalf ? round(phases['50%']!.p99 / rawAtHalf.p99) : null,
    p50RatioAt50: rawAtHalf ? round(phases['50%']!.p50 / rawAtHalf.p50) : null,
    tailAt50,
  };
}
