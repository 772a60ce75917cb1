/**
 * S5: many open orders. Decision latency with 100 orders waiting, then with 5,000; the worker's memory per
 * cached order; and how late the reminder timers of the waiting orders fired while the server was busy.
 */
import { workflowIdFor } from '../../workflows/messages';
import { randomUUID } from 'node:crypto';
import { openLoop } from '../lib/load';
import type { Child } from '../lib/processes';
import type { Stack } from '../lib/stack';
import { percentile, round } from '../lib/stats';
import { approveOverHttp, parkOrders } from './s2-decisions';

async function decisionP99(stack: Stack, ids: string[], rate: number): Promise<{ p50: number; p99: number }> {
  const res = await openLoop(rate, ids.length, (k) => approveOverHttp(stack, ids[k]!));
  if (res.failed) throw new Error(`S5 decisions failed: ${res.firstError}`);
  return { p50: round(percentile(res.latenciesMs, 50)), p99: round(percentile(res.latenciesMs, 99)) };
}

/** Server-side lateness of fired timers: fired − started − duration, from the histories. */
async function timerLateness(stack: Stack, ids: string[]): Promise<number[]> {
  const lateness: number[] = [];
  for (const id of ids) {
    const history = await stack.client.workflow.getHandle(workflowIdFor(id)).fetchHistory();
    const started = new Map<string, { at: number; ms: number }>();
    for (const e of history.events ?? []) {
      const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
      const s = e.timerStartedEventAttributes;
      if (s) {
        const d = s.startToFireTimeout;
        started.set(String(e.eventId), { at, ms: Number(d?.seconds ?? 0) * 1000 + Math.floor((d?.nanos ?? 0) / 1e6) });
      }
      const f = e.timerFiredEventAttributes;
      if (f) {
        const st = started.get(String(f.startedEventId));
        if (st) lateness.push(at - st.at - st.ms);
      }
    }
  }
  return lateness;
}

/** KiB of worker RSS per cached workflow that only waits (the baseline of the per-order memory figure). */
export async function bareParkedMemory(stack: Stack, bare: Child, queue: string, count: number): Promise<number> {
  const before = bare.rssBytes();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        next++;
        await stack.client.workflow.start('parkedWorkflow', { taskQueue: queue, workflowId: `parked-${randomUUID()}` });
      }
    }),
  );
  // Wait until the worker has run the first workflow task of each (they are cached from then on).
  const deadline = Date.now() + 120_000;
  let last = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    const now = bare.rssBytes();
    if (Math.abs(now - last) < 1 << 20) break;
    last = now;
  }
  return round((bare.rssBytes() - before) / 1024 / count);
}

export async function runS5(stack: Stack, opts: { many: number; reminderMs: number }) {
  const rate = 10;
  // 200 decisions at 10/s per phase: enough samples that p99 is not just the slowest one.
  const measureCount = 200;
  const base = await parkOrders(stack, 100 + measureCount);
  const rssAtSmall = stack.worker.rssBytes();
  const small = await decisionP99(stack, base.slice(100), rate);

  const started = Date.now();
  const many = await parkOrders(stack, opts.many - 100);
  const parkSeconds = (Date.now() - started) / 1000;
  // Let every reminder of the parked orders come due (and its notification go out) before measuring: the last one
  // is due reminderMs after the last order parked. (Counted from the first order parked, as before, the reminders
  // of the last minute's orders fired during the decisions, ~27 a second on top of the 10 decisions a second: a
  // reminder storm rather than many open orders; p99 1,662 ms on 2026-12-03.)
  await new Promise((r) => setTimeout(r, opts.reminderMs + 5_000));
  const rssAtMany = stack.worker.rssBytes();
  const extra = await parkOrders(stack, measureCount);
  const large = await decisionP99(stack, extra, rate);
  const sample = many.filter((_, i) => i % Math.max(1, Math.floor(many.length / 50)) === 0);
  const late = await timerLateness(stack, sample);
  return {
    openOrders: { small: 100, large: opts.many },
    parkRatePerSec: round((opts.many - 100) / parkSeconds),
    decision: { small, large, p99Ratio: round(large.p99 / small.p99) },
    workerRssMiB: { small: round(rssAtSmall / 2 ** 20), large: round(rssAtMany / 2 ** 20) },
    workerKiBPerCachedOrder: round((rssAtMany - rssAtSmall) / 1024 / (opts.many - 100)),
    timerLatenessMs: { samples: late.length, p50: round(percentile(late, 50)), p99: round(percentile(late, 99)), max: round(Math.max(...late)) },
  };
}
