/**
 * What the API's and the worker's /metrics share: who may read them, and the process figures (CPU, memory, event
 * loop, GC) collected once per process however many registries serve them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { collectDefaultMetrics, Registry } from 'prom-client';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 403; detail: string };

function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'loopback';
}

/** Compares in constant time (of the digests, so the token's length does not leak either). */
function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * With METRICS_TOKEN set, a request needs `Authorization: Bearer <METRICS_TOKEN>`. Without it, only loopback clients
 * (the peer address of the socket, never a forwarded header) may read: a process listening on a public address does
 * not publish its figures until someone chose a token.
 */
export function metricsAccess(opts: { token: string | undefined; authorization: string | undefined; remoteAddress: string | undefined }): MetricsAccess {
  if (!opts.token) {
    if (isLoopback(opts.remoteAddress)) return { ok: true };
    return { ok: false, status: 403, detail: 'metrics are served to loopback clients only unless METRICS_TOKEN is set' };
  }
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(opts.authorization ?? '')?.[1];
  if (!presented) return { ok: false, status: 401, detail: 'missing bearer token: send Authorization: Bearer <METRICS_TOKEN>' };
  if (!sameToken(presented, opts.token)) return { ok: false, status: 401, detail: 'wrong metrics token' };
  return { ok: true };
}

let processMetrics: Registry | undefined;

/** The process's own figures (prom-client's defaults), one registry per process: its observers are never stopped. */
export function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
