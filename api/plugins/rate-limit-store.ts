/**
 * A fixed-window counter store for @fastify/rate-limit. The plugin's LocalStore hands every caller the same
 * mutable counter object, and createRateLimit reads it only after an await: 50 concurrent requests all read the
 * 50th count, so a burst answered 429 to requests well within the budget. This store answers each caller a
 * snapshot of its own count.
 */
import type { FastifyRateLimitStore } from '@fastify/rate-limit';

interface Window {
  count: number;
  startedAt: number;
}

/** Keys kept at most per store; expired windows are dropped first, then the oldest (Map keeps insertion order). */
const MAX_KEYS = 20_000;

export class SnapshotStore implements FastifyRateLimitStore {
  private readonly windows = new Map<string, Window>();

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.startedAt + timeWindow <= now) {
      this.windows.delete(key);
      w = { count: 0, startedAt: now };
      this.windows.set(key, w);
      this.prune(now, timeWindow);
    }
    w.count++;
    callback(null, { current: w.count, ttl: w.startedAt + timeWindow - now });
  }

  child(): FastifyRateLimitStore {
    return new SnapshotStore();
  }

  private prune(now: number, timeWindow: number): void {
    if (this.windows.size <= MAX_KEYS) return;
    for (const [key, w] of this.windows) {
      if (w.startedAt + timeWindow <= now) this.windows.delete(key);
    }
    for (const key of this.windows.keys()) {
      if (this.windows.size <= MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}
