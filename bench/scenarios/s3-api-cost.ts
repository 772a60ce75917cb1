/** S3: what the API costs per read, against a Fastify hello-world in the same runtime (autocannon). */
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, freePort, spawnTs } from '../lib/processes';
import type { Stack } from '../lib/stack';
import { median, round } from '../lib/stats';
import { parkOrders } from './s2-decisions';

async function cannon(url: string, token: string | undefined, seconds: number, pid: number | undefined): Promise<{ rps: number; p99: number; non2xx: number; cpuUsPerReq: number }> {
  const cpu0 = cpuSeconds(pid);
  const res = await autocannon({
    url,
    connections: 10,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  // CPU the serving process spent per answered request: unlike req/s, barely moved by other engineers' load.
  const cpuUsPerReq = ((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, res.requests.total);
  return { rps: round(res.requests.average), p99: res.latency.p99, non2xx: res.non2xx, cpuUsPerReq: Math.round(cpuUsPerReq) };
}

export async function runS3(stack: Stack, dir: string, opts: { seconds: number; rounds: number }) {
  // A full page for the inbox (S2, when it ran first, parked more; an --only S3 run would otherwise read a page of one).
  const [orderId] = await parkOrders(stack, 60);
  const port = await freePort();
  const hello = await spawnTs('hello', path.resolve(__dirname, '../hello-server.ts'), {
    env: { PORT: String(port) },
    ready: /listening/,
    logFile: path.join(dir, 'hello.log'),
  });
  try {
    // Rounds alternate the targets (hello, /healthz, order, inbox, inbox of one): on a shared machine the load of
    // others moves within seconds, so each round's ratios are taken within the round and their median reported.
    const targets = {
      hello: [`http://127.0.0.1:${port}/hello`, undefined, hello.proc.pid],
      // The same plugin stack as every route (security headers, rate limit, hooks) without auth or a query:
      // separates what the framework set-up costs from what our handlers cost.
      healthz: [`${stack.api}/healthz`, undefined, stack.server.proc.pid],
      getOrder: [`${stack.api}/v1/orders/${orderId}`, stack.tokens.shop, stack.server.proc.pid],
      inbox: [`${stack.api}/v1/inbox?limit=50`, stack.tokens.finance, stack.server.proc.pid],
      // The same query for a page of one: what the page's size (validation and serialisation) costs.
      inboxPageOfOne: [`${stack.api}/v1/inbox?limit=1`, stack.tokens.finance, stack.server.proc.pid],
    } as const;
    type Target = keyof typeof targets;
    const rounds: Record<Target, Awaited<ReturnType<typeof cannon>>>[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const results = {} as (typeof rounds)[number];
      for (const [name, [url, token, pid]] of Object.entries(targets) as [Target, readonly [string, string | undefined, number | undefined]][]) {
        results[name] = await cannon(url, token, opts.seconds, pid);
      }
      rounds.push(results);
    }
    const med = (f: (r: (typeof rounds)[number]) => number) => round(median(rounds.map(f)));
    return {
      rounds: opts.rounds,
      secondsPerTarget: opts.seconds,
      helloRps: med((r) => r.hello.rps),
      healthzRps: med((r) => r.healthz.rps),
      getOrderRps: med((r) => r.getOrder.rps),
      inboxRps: med((r) => r.inbox.rps),
      inboxPageOfOneRps: med((r) => r.inboxPageOfOne.rps),
      getOrderRatio: med((r) => r.getOrder.rps / r.hello.rps),
      inboxRatio: med((r) => r.inbox.rps / r.hello.rps),
      getOrderVsHealthz: med((r) => r.getOrder.rps / r.healthz.rps),
      inboxVsHealthz: med((r) => r.inbox.rps / r.healthz.rps),
      healthzRatio: med((r) => r.healthz.rps / r.hello.rps),
      p99Ms: { hello: med((r) => r.hello.p99), getOrder: med((r) => r.getOrder.p99), inbox: med((r) => r.inbox.p99) },
      serverCpuUsPerRequest: {
        hello: med((r) => r.hello.cpuUsPerReq),
        healthz: med((r) => r.healthz.cpuUsPerReq),
        getOrder: med((r) => r.getOrder.cpuUsPerReq),
        inbox: med((r) => r.inbox.cpuUsPerReq),
        inboxPageOfOne: med((r) => r.inboxPageOfOne.cpuUsPerReq),
      },
      perRound: rounds.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.rps]))),
      non2xx: rounds.reduce((n, r) => n + r.getOrder.non2xx + r.inbox.non2xx + r.inboxPageOfOne.non2xx, 0),
    };
  } finally {
    await hello.stop();
  }
}
