/**
 * The reliability suite's load and its checks. Load: orders submitted over real HTTP (half clean and approved with
 * no human step, the others waiting for finance: approved by finance then management, rejected by finance, or left
 * waiting), each decision sent with an Idempotency-Key and every request retried the way the API tells clients to
 * (5xx, 429, no connection: the same body and key again). Checks, after each fault: every accepted order is in
 * exactly one end or waiting state (read model and Temporal), every decision answered 2xx is in the order's event
 * log and audit exactly once and none is applied twice, holds exactly once per order that keeps them, every event
 * delivered to a real webhook receiver (verified with `standardwebhooks`) with no gap in any order's seq, and
 * `PRAGMA integrity_check` ok on the app's and the dev server's SQLite files.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { and, inArray, isNull } from 'drizzle-orm';
import { closeDatabase, openDatabase } from '../../db/client';
import { capacityBookings, materialReservations } from '../../db/schema';
import { TERMINAL_STATUSES } from '../../domain/types';
import { waitFor } from '../../scripts/cluster/processes';
import { workflowIdFor } from '../../workflows/messages';
import {
  call,
  CLEAN_CUSTOMER,
  departmentOf,
  HOURS_PER_ORDER,
  MATERIAL,
  must,
  orderBody,
  type RetryStats,
  seed,
  TIGHT_CUSTOMER,
  type Tokens,
  UNITS_PER_ORDER,
} from '../cluster/product';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver';
import type { Tree } from './tree';

export type Kind = 'clean' | 'approve' | 'reject' | 'wait';
/** Where each kind of order ends: a status, or `waiting` (in review, credit awaiting finance). */
export const EXPECTED: Record<Kind, string> = { clean: 'approved', approve: 'approved', reject: 'rejected', wait: 'waiting' };
/** The mix, repeated: half clean, a sixth each approved by people, rejected, left waiting. */
const MIX: Kind[] = ['clean', 'approve', 'clean', 'reject', 'clean', 'wait'];

export interface Decision {
  step: string;
  decision: 'approve' | 'reject';
  by: string;
  /** The answer: 2xx once applied (retries included); anything else is a refusal. */
  status: number;
  /** A refusal's problem detail. */
  detail?: string;
}

export interface Journey {
  orderId: string;
  kind: Kind;
  phase: string;
  started: boolean;
  /** 201, or 200 for a retry of an order already accepted. */
  accepted: boolean;
  final?: string;
  decisions: Decision[];
}

export interface Chaos {
  tree: Tree;
  tokens: Tokens;
  principals: Record<keyof Tokens, string>;
  stats: RetryStats;
  receiver: Receiver;
  journeys: Journey[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JOURNEY_TIMEOUT_MS = 150_000;

/** Master data, principals and a webhook subscription for every event, through the API. */
export async function prepare(tree: Tree): Promise<Chaos> {
  const stats: RetryStats = { retried: {} };
  const tokens = await seed(stats, tree.apiUrl, tree.adminToken);
  const receiver = await startReceiver();
  const hook = await must<{ secret: string }>(stats, 'POST', `${tree.apiUrl}/v1/webhooks`, tree.adminToken, { url: receiver.url, description: 'chaos' });
  receiver.setSecret(hook.secret);
  const principals = Object.fromEntries(Object.keys(tokens).map((k) => [k, `cluster-${k}`])) as Record<keyof Tokens, string>;
  return { tree, tokens, principals, stats, receiver, journeys: [], close: () => receiver.close() };
}

async function runJourney(c: Chaos, j: Journey): Promise<void> {
  const api = c.tree.apiUrl;
  j.started = true;
  const submitted = await call(c.stats, 'POST', `${api}/v1/orders`, c.tokens.shop, orderBody(j.orderId, j.kind === 'clean' ? CLEAN_CUSTOMER : TIGHT_CUSTOMER));
  if (submitted.status !== 201 && submitted.status !== 200) throw new Error(`submit ${j.orderId} → ${submitted.status} ${JSON.stringify(submitted.body)}`);
  j.accepted = true;
  const deadline = Date.now() + JOURNEY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const order = await must<{ status: string; awaiting: string[]; steps: { step: string; status: string }[] }>(
      c.stats,
      'GET',
      `${api}/v1/orders/${j.orderId}`,
      c.tokens.shop,
    );
    if ((TERMINAL_STATUSES as readonly string[]).includes(order.status)) {
      j.final = order.status;
      return;
    }
    const step = order.awaiting[0];
    if (j.kind === 'wait' && step === 'credit') {
      // Left waiting for finance, once the steps beside credit hold their stock and capacity.
      const done = (s: string) => ['auto_approved', 'approved'].includes(order.steps.find((x) => x.step === s)?.status ?? '');
      if (done('capacity') && done('materials')) {
        j.final = 'waiting';
        return;
      }
    }
    if (!step || (j.kind === 'wait' && step === 'credit')) {
      await sleep(250);
      continue;
    }
    const decision = j.kind === 'reject' && step === 'credit' ? 'reject' : 'approve';
    const dept = departmentOf(step) as keyof Tokens;
    const res = await call(
      c.stats,
      'POST',
      `${api}/v1/orders/${j.orderId}/steps/${step}/decision`,
      c.tokens[dept],
      { decision, ...(decision === 'reject' && { comment: 'over the credit line' }) },
      { 'idempotency-key': `${j.orderId}-${step}` },
    );
    j.decisions.push({
      step,
      decision,
      by: c.principals[dept],
      status: res.status,
      ...(res.status >= 300 && { detail: String((res.body as { detail?: string } | undefined)?.detail) }),
    });
    // 409: the read model lagged behind a decision already taken; read again.
    if (res.status >= 300 && res.status !== 409) throw new Error(`decide ${step} of ${j.orderId} → ${res.status} ${JSON.stringify(res.body)}`);
  }
  throw new Error(`order ${j.orderId} did not reach its end within ${JOURNEY_TIMEOUT_MS / 1000} s`);
}

export interface PhaseResult {
  journeys: Journey[];
  /** Responses the load retried during the phase, by status ("network": no connection): what the fault cost clients. */
  retried: Record<string, number>;
  /** Per strike: orders submitted and not at their end when the fault struck, and ms until all was up again. */
  inFlight: number[];
  faultMs: number[];
  loadMs: number;
}

/**
 * Runs `orders` journeys `concurrency` at a time; once a third are accepted, `fault` runs (the kill and the restart)
 * while the load goes on. Resolves when every journey reached its end (throws if one cannot).
 */
export async function runPhase(
  c: Chaos,
  phase: string,
  opts: { orders: number; concurrency?: number; strikes: number; fault: () => Promise<void> },
): Promise<PhaseResult> {
  const stamp = Date.now().toString(36);
  const journeys: Journey[] = Array.from({ length: opts.orders }, (_, i) => ({
    orderId: `CH-${phase}-${stamp}-${i}`,
    kind: MIX[i % MIX.length]!,
    phase,
    started: false,
    accepted: false,
    decisions: [],
  }));
  c.journeys.push(...journeys);
  const started = Date.now();
  const retriedBefore = { ...c.stats.retried };
  const inFlight: number[] = [];
  const faultMs: number[] = [];
  let loadFailed = false;
  // The fault strikes `strikes` times, evenly through the phase (after a third and two thirds of the orders, for 2).
  const chaos = async (): Promise<void> => {
    for (let k = 1; k <= opts.strikes; k++) {
      const due = (opts.orders * k) / (opts.strikes + 1);
      await waitFor(`${phase}: ${Math.ceil(due)} orders accepted`, async () => loadFailed || journeys.filter((j) => j.accepted).length >= due, {
        timeoutMs: 120_000,
        intervalMs: 50,
      }).catch((err: unknown) => {
        throw new Error(`${String(err)}; retried responses ${JSON.stringify(c.stats.retried)}\n${c.tree.logs()}`);
      });
      if (loadFailed) return;
      inFlight.push(journeys.filter((j) => j.started && !j.final).length);
      const t = Date.now();
      await opts.fault();
      faultMs.push(Date.now() - t);
    }
  };
  const queue = [...journeys];
  const load = Promise.all(
    Array.from({ length: opts.concurrency ?? 4 }, async () => {
      for (let j = queue.shift(); j; j = queue.shift()) await runJourney(c, j);
    }),
  ).catch((err: unknown) => {
    loadFailed = true;
    throw err;
  });
  const [l, f] = await Promise.allSettled([load, chaos()]);
  if (l.status === 'rejected') throw l.reason;
  if (f.status === 'rejected') throw f.reason;
  const retried = Object.fromEntries(
    Object.entries(c.stats.retried)
      .map(([k, n]) => [k, n - (retriedBefore[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return { journeys, retried, inFlight, faultMs, loadMs: Date.now() - started };
}

interface FeedEvent {
  id: string;
  seq: number;
  type: string;
  orderId: string | null;
  step: string | null;
  actor: string;
}

/**
 * Per order: events in the log, distinct events delivered, deliveries of an event already delivered (at least once
 * allows them: the receiver drops them by id), refused decision attempts in the log (a decision the read model showed
 * as awaiting while the workflow had moved on: answered 409 and audited, never applied).
 */
export interface PerOrder {
  events: number;
  delivered: number;
  redelivered: number;
  refusals: number;
}

export interface Verdict {
  /** Accepted orders not in their expected state, decisions answered 2xx missing from the log or audit, holds missing, events never delivered. */
  lost: number;
  /** Orders reviewed twice, decisions applied twice (or applied though refused), holds taken twice, events delivered out of seq order. */
  duplicated: number;
  /** What was lost or duplicated, one line each. */
  problems: string[];
  perOrder: Map<string, PerOrder>;
  integrity: { app: string; temporal: string };
}

/** PRAGMA integrity_check of a SQLite file, read-only (safe while its owner runs: WAL readers see a snapshot). */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export function integrity(tree: Tree): { app: string; temporal: string } {
  return { app: integrityCheck(path.join(tree.dataDir, 'app.db')), temporal: integrityCheck(path.join(tree.dataDir, 'temporal.db')) };
}

async function feed(c: Chaos): Promise<FeedEvent[]> {
  const all: FeedEvent[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: { items: FeedEvent[]; nextCursor: string | null; hasMore: boolean } = await must(
      c.stats,
      'GET',
      `${c.tree.apiUrl}/v1/events?limit=500${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`,
      c.tree.adminToken,
    );
    all.push(...page.items);
    if (!page.hasMore) return all;
    cursor = page.nextCursor;
  }
}

/** Checks every journey so far (all phases): see the file's comment. */
export async function verify(c: Chaos): Promise<Verdict> {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  const lose = (p: string) => (lost++, problems.push(`lost: ${p}`));
  const dup = (p: string) => (duplicated++, problems.push(`duplicated: ${p}`));
  const accepted = c.journeys.filter((j) => j.accepted);
  const api = c.tree.apiUrl;
  const admin = c.tree.adminToken;

  // 1. Exactly one end or waiting state, the one the journey's decisions call for, in the read model...
  for (const j of accepted) {
    const o = await must<{ status: string; awaiting: string[] }>(c.stats, 'GET', `${api}/v1/orders/${j.orderId}`, admin);
    const state = o.status === 'in_review' && o.awaiting.join() === 'credit' ? 'waiting' : o.status;
    if (state !== EXPECTED[j.kind]) lose(`${j.orderId} (${j.kind}) is ${state}, expected ${EXPECTED[j.kind]}`);
  }
  // ...and in Temporal: one execution per order, closed when the order ended, running while it waits.
  const connection = await Connection.connect({ address: c.tree.temporalAddress });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const want = new Map(accepted.map((j) => [workflowIdFor(j.orderId), j]));
    let executions: { workflowId: string; status: string }[] = [];
    await waitFor(
      'visibility to list every order',
      async () => {
        executions = [];
        for await (const w of client.workflow.list({ query: `TaskQueue = '${c.tree.taskQueue}' AND WorkflowType = 'orderReviewWorkflow'` })) {
          executions.push({ workflowId: w.workflowId, status: w.status.name });
        }
        return [...want].every(([id, j]) => executions.some((e) => e.workflowId === id && e.status === (j.kind === 'wait' ? 'RUNNING' : 'COMPLETED')));
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch(() => undefined);
    for (const [id, j] of want) {
      const mine = executions.filter((e) => e.workflowId === id);
      if (mine.length === 0) lose(`${j.orderId}: no workflow execution`);
      if (mine.length > 1) dup(`${j.orderId}: ${mine.length} workflow executions`);
      const expected = j.kind === 'wait' ? 'RUNNING' : 'COMPLETED';
      if (mine.length === 1 && mine[0]!.status !== expected) lose(`${j.orderId}: execution ${mine[0]!.status}, expected ${expected}`);
    }
  } finally {
    await connection.close();
  }

  // 2. Decisions: each one answered 2xx is logged exactly once (event log and audit); none logged that was not.
  const events = await feed(c);
  const byOrder = new Map<string, FeedEvent[]>();
  for (const e of events) if (e.orderId) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e]);
  for (const j of accepted) {
    const decided = (byOrder.get(j.orderId) ?? []).filter((e) => e.type === 'order.step_decided');
    const answered = j.decisions.filter((d) => d.status < 300);
    const audit = answered.length
      ? (await must<{ events: { type: string; step: string | null; actor: string }[] }>(c.stats, 'GET', `${api}/v1/orders/${j.orderId}/audit`, admin)).events.filter(
          (e) => e.type === 'decision',
        )
      : [];
    for (const d of answered) {
      const logged = decided.filter((e) => e.step === d.step && e.actor === d.by).length;
      const inAudit = audit.filter((e) => e.step === d.step && e.actor === d.by).length;
      if (logged === 0) lose(`${j.orderId}: the ${d.step} decision answered ${d.status} is not in the event log`);
      if (logged > 1) dup(`${j.orderId}: the ${d.step} decision is in the event log ${logged} times`);
      if (inAudit === 0) lose(`${j.orderId}: the ${d.step} decision answered ${d.status} is not in the audit`);
      if (inAudit > 1) dup(`${j.orderId}: the ${d.step} decision is in the audit ${inAudit} times`);
    }
    for (const e of decided) {
      if (!answered.some((d) => d.step === e.step && d.by === e.actor)) dup(`${j.orderId}: a ${e.step} decision by ${e.actor} was applied but never answered 2xx`);
    }
  }

  // 3. Holds: an approved or waiting order holds its stock and capacity once; a rejected one holds nothing.
  const db = openDatabase(path.join(c.tree.dataDir, 'app.db'), { migrate: false });
  try {
    const ids = accepted.map((j) => j.orderId);
    const reservations = db.select().from(materialReservations).where(and(inArray(materialReservations.orderId, ids), isNull(materialReservations.releasedAt))).all();
    const bookings = db.select().from(capacityBookings).where(and(inArray(capacityBookings.orderId, ids), isNull(capacityBookings.releasedAt))).all();
    let expectedUnits = 0;
    for (const j of accepted) {
      const holds = EXPECTED[j.kind] !== 'rejected';
      const held = reservations.filter((r) => r.orderId === j.orderId);
      const units = held.reduce((s, r) => s + r.quantity, 0);
      const hours = bookings.filter((b) => b.orderId === j.orderId).reduce((s, b) => s + b.hours, 0);
      const want = holds ? UNITS_PER_ORDER : 0;
      if (units < want || held.length < (holds ? 1 : 0)) lose(`${j.orderId}: ${units} units of ${MATERIAL} reserved, expected ${want}`);
      if (units > want || held.length > (holds ? 1 : 0)) dup(`${j.orderId}: ${units} units in ${held.length} reservations, expected ${want}`);
      const wantHours = holds ? HOURS_PER_ORDER : 0;
      if (hours < wantHours - 1e-9) lose(`${j.orderId}: ${hours} h booked, expected ${wantHours}`);
      if (hours > wantHours + 1e-9) dup(`${j.orderId}: ${hours} h booked, expected ${wantHours}`);
      expectedUnits += want;
    }
    const material = await must<{ reserved: number }>(c.stats, 'GET', `${api}/v1/materials/${MATERIAL}`, admin);
    if (material.reserved !== expectedUnits) problems.push(`note: ${MATERIAL} shows ${material.reserved} reserved, expected ${expectedUnits}`);
    if (material.reserved < expectedUnits) lost++;
    if (material.reserved > expectedUnits) duplicated++;
  } finally {
    closeDatabase(db);
  }

  // 4. Webhooks: every event of the log reaches the receiver, verified; per order in seq order with no gap.
  const ids = new Set(events.map((e) => e.id));
  const got = () => new Set(c.receiver.delivered().filter((r) => r.verified).map((r) => r.webhookId));
  await waitFor('every event delivered to the webhook receiver', async () => [...ids].every((id) => got().has(id)), { timeoutMs: 90_000, intervalMs: 250 }).catch(
    () => undefined,
  );
  const delivered = got();
  for (const e of events) if (!delivered.has(e.id)) lose(`event ${e.id} (${e.type} of ${e.orderId ?? '-'} seq ${e.seq}) never delivered`);
  const unverified = c.receiver.requests.filter((r) => !r.verified).length;
  if (unverified) problems.push(`note: ${unverified} deliveries failed standardwebhooks verification`), lost++;
  for (const r of c.receiver.delivered()) if (!ids.has(r.webhookId)) dup(`delivery ${r.webhookId} is no event of the log`);
  for (const [orderId, evs] of byOrder) {
    const seqs = evs.map((e) => e.seq).sort((a, b) => a - b);
    if (seqs.some((s, i) => s !== i + 1)) lose(`${orderId}: seq ${seqs.join(',')} has a gap`);
    const firstSeen: number[] = [];
    const seen = new Set<string>();
    for (const r of c.receiver.delivered()) {
      if (r.body.data.orderId !== orderId || seen.has(r.webhookId)) continue;
      seen.add(r.webhookId);
      firstSeen.push(r.body.data.seq);
    }
    if (firstSeen.some((s, i) => s !== i + 1)) dup(`${orderId}: delivered in seq order ${firstSeen.join(',')}`);
  }
  const perOrder = new Map<string, PerOrder>();
  for (const [orderId, evs] of byOrder) {
    perOrder.set(orderId, {
      events: evs.length,
      delivered: evs.filter((e) => delivered.has(e.id)).length,
      redelivered: 0,
      refusals: evs.filter((e) => e.type === 'order.decision_refused').length,
    });
  }
  const seenIds = new Set<string>();
  for (const r of c.receiver.delivered()) {
    if (seenIds.has(r.webhookId)) {
      const o = r.body.data.orderId && perOrder.get(r.body.data.orderId);
      if (o) o.redelivered++;
    }
    seenIds.add(r.webhookId);
  }

  // 5. Both SQLite files.
  const check = integrity(c.tree);
  if (check.app !== 'ok' || check.temporal !== 'ok') problems.push(`integrity_check: ${JSON.stringify(check)}`);
  return { lost, duplicated, problems, perOrder, integrity: check };
}

/** Deliveries of the phase's events beyond the first of each. */
export function redeliveries(phase: PhaseResult, v: Verdict): number {
  return phase.journeys.reduce((n, j) => n + (v.perOrder.get(j.orderId)?.redelivered ?? 0), 0);
}

/** The line docs/reliability.md quotes, one per fault: the phase's orders; lost and duplicated over every order so far. */
export function summaryLine(fault: string, phase: PhaseResult, v: Verdict, extra: Record<string, unknown> = {}): string {
  const accepted = phase.journeys.filter((j) => j.accepted);
  const hooks = { events: 0, delivered: 0, redelivered: 0, refusals: 0 };
  for (const j of accepted) {
    const o = v.perOrder.get(j.orderId);
    if (o) (hooks.events += o.events), (hooks.delivered += o.delivered), (hooks.redelivered += o.redelivered), (hooks.refusals += o.refusals);
  }
  const refused = accepted.flatMap((j) => j.decisions.filter((d) => d.status >= 300).map((d) => `${j.orderId}/${d.step}: ${d.status} ${d.detail}`));
  return JSON.stringify({
    fault,
    faults: phase.faultMs.length,
    inFlight: phase.inFlight,
    orders: accepted.length,
    waiting: accepted.filter((j) => j.final === 'waiting').length,
    decisions: accepted.reduce((n, j) => n + j.decisions.filter((d) => d.status < 300).length, 0),
    ...(refused.length || hooks.refusals ? { refused, refusalsLogged: hooks.refusals } : {}),
    lost: v.lost,
    duplicated: v.duplicated,
    events: hooks.events,
    webhooksDelivered: hooks.delivered,
    redelivered: hooks.redelivered,
    integrity: v.integrity.app === 'ok' && v.integrity.temporal === 'ok' ? 'ok' : v.integrity,
    retried: phase.retried,
    recoveryMs: phase.faultMs,
    ...extra,
  });
}
