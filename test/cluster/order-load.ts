/**
 * The cluster suite's load: orders submitted through both APIs and decided through either (reads and decisions
 * alternate between the two), retried the way the API tells clients to, while one worker is SIGKILLed and
 * restarted and the history service is SIGKILLed and restarted a few seconds later.
 */
import { TERMINAL_STATUSES } from '../../domain/types';
import type { TestCluster } from '../../scripts/cluster/cluster';
import { waitFor } from '../../scripts/cluster/processes';
import { call, CLEAN_CUSTOMER, departmentOf, must, orderBody, type Product, type RetryStats, TIGHT_CUSTOMER, type Tokens } from './product';

/** How long the history service stays dead: long enough for every in-flight call to meet the outage. */
const HISTORY_DOWN_MS = 3_000;
const CONCURRENCY = 6;
const JOURNEY_TIMEOUT_MS = 240_000;

export type Kind = 'clean' | 'approve' | 'reject';
export const EXPECTED: Record<Kind, string> = { clean: 'approved', approve: 'approved', reject: 'rejected' };

export interface Journey {
  orderId: string;
  kind: Kind;
  /** The API (0 or 1) the order is submitted through; reads and decisions alternate between both. */
  api: number;
  started: boolean;
  accepted: boolean;
  final?: string;
  decidedThrough: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadOptions {
  mode: string;
  product: Product;
  cluster: TestCluster;
  tokens: Tokens;
  stats: RetryStats;
  orders: number;
}

export interface Fault {
  what: string;
  /** Orders submitted and not ended when the fault struck. */
  inFlight: number;
  ms: number;
}

/** Runs every order to its end (throws if one does not end in time) with both faults injected on the way. */
export async function runOrderLoad(opts: LoadOptions): Promise<{ journeys: Journey[]; faults: Fault[]; loadMs: number }> {
  const p = opts.product;
  const journeys: Journey[] = Array.from({ length: opts.orders }, (_, i) => ({
    orderId: `CL-${opts.mode}-${Date.now().toString(36)}-${i}`,
    kind: i % 3 !== 2 ? 'clean' : i % 6 === 2 ? 'approve' : 'reject',
    api: i % 2,
    started: false,
    accepted: false,
    decidedThrough: [],
  }));
  const accepted = () => journeys.filter((j) => j.accepted).length;
  // Submitted (or being submitted) and not ended yet.
  const inFlight = () => journeys.filter((j) => j.started && !j.final).length;

  const runJourney = async (j: Journey): Promise<void> => {
    const customer = j.kind === 'clean' ? CLEAN_CUSTOMER : TIGHT_CUSTOMER;
    j.started = true;
    const submitted = await call(opts.stats, 'POST', `${p.apis[j.api]}/v1/orders`, opts.tokens.shop, orderBody(j.orderId, customer));
    if (submitted.status !== 201 && submitted.status !== 200) throw new Error(`submit ${j.orderId} → ${submitted.status} ${JSON.stringify(submitted.body)}`);
    j.accepted = true;
    const deadline = Date.now() + JOURNEY_TIMEOUT_MS;
    for (let n = 0; Date.now() < deadline; n++) {
      const which = (j.api + n) % 2;
      const api = p.apis[which]!;
      const order = await must<{ status: string; awaiting: string[] }>(opts.stats, 'GET', `${api}/v1/orders/${j.orderId}`, opts.tokens.shop);
      if ((TERMINAL_STATUSES as readonly string[]).includes(order.status)) {
        j.final = order.status;
        return;
      }
      const step = order.awaiting[0];
      if (!step) {
        await sleep(300);
        continue;
      }
      const decision = j.kind === 'reject' && step === 'credit' ? 'reject' : 'approve';
      const res = await call(
        opts.stats,
        'POST',
        `${api}/v1/orders/${j.orderId}/steps/${step}/decision`,
        opts.tokens[departmentOf(step)],
        { decision, ...(decision === 'reject' && { comment: 'over the credit line' }) },
        { 'idempotency-key': `${j.orderId}-${step}` },
      );
      if (res.status < 300) j.decidedThrough.push(which);
      // 409: the read model lagged behind a decision already taken; read again.
      else if (res.status !== 409) throw new Error(`decide ${step} of ${j.orderId} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    throw new Error(`order ${j.orderId} did not end within ${JOURNEY_TIMEOUT_MS / 1000} s`);
  };

  const faults: Fault[] = [];
  const chaos = async (): Promise<void> => {
    await waitFor('a fifth of the orders accepted', async () => accepted() >= opts.orders / 5, { timeoutMs: 180_000 });
    let t = Date.now();
    const atKill = inFlight();
    await p.killWorker(0);
    await sleep(2_000);
    await p.startWorker(0);
    faults.push({ what: 'worker 0 SIGKILLed, restarted 2 s later', inFlight: atKill, ms: Date.now() - t });
    await waitFor('half of the orders accepted', async () => accepted() >= opts.orders / 2, { timeoutMs: 180_000 });
    t = Date.now();
    const atRestart = inFlight();
    await opts.cluster.restart('history', HISTORY_DOWN_MS);
    faults.push({ what: `history service SIGKILLed, restarted ${HISTORY_DOWN_MS / 1000} s later`, inFlight: atRestart, ms: Date.now() - t });
  };

  const started = Date.now();
  const queue = [...journeys];
  const load = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let j = queue.shift(); j; j = queue.shift()) await runJourney(j);
    }),
  );
  const [loadResult, chaosResult] = await Promise.allSettled([load, chaos()]);
  if (loadResult.status === 'rejected') throw loadResult.reason;
  if (chaosResult.status === 'rejected') throw chaosResult.reason;
  const loadMs = Date.now() - started;
  return { journeys, faults, loadMs };
}
