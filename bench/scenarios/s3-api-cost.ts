/** S3: what the API costs per read, against a Fastify hello-world in the same runtime (autocannon). */
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, spawnTs } from '../lib/processes';
import type { Stack } from '../lib/stack';
import { round } from '../lib/stats';
import { parkOrders } from './s2-decisions';

async function cannon(url: string, token: string | undefined, seconds: number): Promise<{ rps: number; p99: number; non2xx: number }> {
  const res = await autocannon({
    url,
    connections: 10,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { rps: round(res.requests.average), p99: res.latency.p99, non2xx: res.non2xx };
}

export async function runS3(stack: Stack, dir: string, opts: { seconds: number }) {
  const [orderId] = await parkOrders(stack, 1);
  const port = await freePort();
  const hello = await spawnTs('hello', path.resolve(__dirname, '../hello-server.ts'), {
    env: { PORT: String(port) },
    ready: /listening/,
    logFile: path.join(dir, 'hello.log'),
  });
  try {
    const base = await cannon(`http://127.0.0.1:${port}/hello`, undefined, opts.seconds);
    // The same plugin stack as every route (security headers, rate limit, hooks) without auth or a query:
    // separates what the framework set-up costs from what our handlers cost.
    const healthz = await cannon(`${stack.api}/healthz`, undefined, opts.seconds);
    const order = await cannon(`${stack.api}/v1/orders/${orderId}`, stack.tokens.shop, opts.seconds);
    const inbox = await cannon(`${stack.api}/v1/inbox?limit=50`, stack.tokens.finance, opts.seconds);
    // The same query for a page of one: what the page's size (validation and serialisation) costs.
    const inboxOne = await cannon(`${stack.api}/v1/inbox?limit=1`, stack.tokens.finance, opts.seconds);
    return {
      helloRps: base.rps,
      healthzRps: healthz.rps,
      getOrderRps: order.rps,
      inboxRps: inbox.rps,
      inboxPageOfOneRps: inboxOne.rps,
      getOrderRatio: round(order.rps / base.rps),
      inboxRatio: round(inbox.rps / base.rps),
      getOrderVsHealthz: round(order.rps / healthz.rps),
      inboxVsHealthz: round(inbox.rps / healthz.rps),
      p99Ms: { hello: base.p99, getOrder: order.p99, inbox: inbox.p99 },
      non2xx: order.non2xx + inbox.non2xx,
    };
  } finally {
    await hello.stop();
  }
}
