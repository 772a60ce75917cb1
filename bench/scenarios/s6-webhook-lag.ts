/**
 * S6: webhook delivery under S1's load. The same closed loop of clean orders with no subscription (baseline) and
 * with one subscription to every event, received on loopback by this process: throughput with webhooks on against
 * off, and the lag from each state change (the event's time) to its arrival at the receiver.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedLoop, openLoop } from '../lib/load';
import { archiveDrained, type Stack, http as call } from '../lib/stack';
import { percentile, round } from '../lib/stats';
import { submitAndAwaitApproval } from './s1-throughput';

interface Arrival {
  id: string;
  lagMs: number;
}

function receiver(): Promise<{ url: string; arrivals: Arrival[]; close(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { id: string; at: string } };
      arrivals.push({ id: body.data.id, lagMs: received - Date.parse(body.data.at) });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        arrivals,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

export async function runS6(stack: Stack, opts: { concurrency: number; seconds: number }) {
  const loop = () => closedLoop(opts.concurrency, opts.seconds * 1000, () => submitAndAwaitApproval(stack));
  await closedLoop(opts.concurrency, 2_000, () => submitAndAwaitApproval(stack));
  // Both loops start without an archive backlog (bench/lib/stack.ts archiveDrained): each pays for its own orders.
  await archiveDrained(stack);
  const off = await loop();
  await archiveDrained(stack);

  const rx = await receiver();
  try {
    const hook = await call<{ id: string }>('POST', `${stack.api}/v1/webhooks`, stack.tokens.admin, { url: rx.url, description: 'S6' });
    if (hook.status !== 201) throw new Error(`subscribe → ${hook.status} ${JSON.stringify(hook.body)}`);
    const on = await loop();
    // Let the deliveries of the last orders arrive (the loop ends when its orders are approved, not delivered).
    let seen = -1;
    while (rx.arrivals.length !== seen) {
      seen = rx.arrivals.length;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const closedArrivals = rx.arrivals.splice(0);
    // The closed loop saturates the 2 cores; the same webhook at an open-loop rate of half the maximum (without
    // webhooks) tells a lag of the relay's own making from one of a busy CPU.
    const halfRate = Math.max(1, (off.completed / off.seconds) / 2);
    const open = await openLoop(halfRate, Math.round(halfRate * opts.seconds), () => submitAndAwaitApproval(stack));
    seen = -1;
    while (rx.arrivals.length !== seen) {
      seen = rx.arrivals.length;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const openLags = rx.arrivals.map((a) => a.lagMs);
    rx.arrivals.splice(0, rx.arrivals.length, ...closedArrivals);
    await call('DELETE', `${stack.api}/v1/webhooks/${hook.body.id}`, stack.tokens.admin);
    const lags = rx.arrivals.map((a) => a.lagMs);
    const unique = new Set(rx.arrivals.map((a) => a.id)).size;
    const offRate = off.completed / off.seconds;
    const onRate = on.completed / on.seconds;
    return {
      offOrdersPerSec: round(offRate),
      onOrdersPerSec: round(onRate),
      ratio: round(onRate / offRate),
      deliveries: rx.arrivals.length,
      duplicates: rx.arrivals.length - unique,
      deliveriesPerSec: round(rx.arrivals.length / on.seconds),
      lagMs: { p50: round(percentile(lags, 50)), p90: round(percentile(lags, 90)), p99: round(percentile(lags, 99)), max: round(Math.max(...lags)) },
      openLoopAtHalf: {
        ordersPerSec: round(open.completed / open.seconds),
        targetRate: round(halfRate),
        deliveries: openLags.length,
        lagMs: { p50: round(percentile(openLags, 50)), p90: round(percentile(openLags, 90)), p99: round(percentile(openLags, 99)), max: round(Math.max(...openLags)) },
        approvalMs: { p50: round(percentile(open.latenciesMs, 50)), p99: round(percentile(open.latenciesMs, 99)) },
      },
      failed: off.failed + on.failed + open.failed,
      firstError: off.firstError ?? on.firstError,
    };
  } finally {
    await rx.close();
  }
}
