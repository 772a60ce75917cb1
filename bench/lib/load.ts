/** Load shapes: a closed loop (N in flight, as fast as answers come) and an open loop at a fixed rate. */
export interface LoadResult {
  completed: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  firstError?: string;
}

export async function closedLoop(concurrency: number, durationMs: number, once: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await once();
          latencies.push(performance.now() - t);
        } catch (err) {
          failed++;
          firstError ??= String(err);
        }
      }
    }),
  );
  return { completed: latencies.length, failed, seconds: (performance.now() - start) / 1000, latenciesMs: latencies, firstError };
}

/** Starts `once` every 1/rate seconds regardless of how long earlier calls take (no coordinated omission). */
/** `once` gets the call's index and its intended start as an epoch ms (for timing against other processes' clocks). */
export async function openLoop(ratePerSec: number, count: number, once: (i: number, dueEpochMs: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const interval = 1000 / ratePerSec;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        try {
          await once(i, performance.timeOrigin + due);
          // Latency from the intended start: a late start counts against the system, not for it.
          latencies.push(performance.now() - due);
        } catch (err) {
          failed++;
          firstError ??= String(err);
        }
      })(),
    );
  }
  await Promise.all(inflight);
  return { completed: latencies.length, failed, seconds: (performance.now() - start) / 1000, latenciesMs: latencies, firstError };
}
