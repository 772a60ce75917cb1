/**
 * An order's Temporal history for auditors: read from the archive once the order ended, else from Temporal,
 * and the readable audit timeline rebuilt from it. The timeline comes from the history alone (the markers of the
 * workflow's `recordState` local activity carry the audit events), so it survives Temporal forgetting the execution.
 */
import { type Client, isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { orderHistories, refusedDecisions } from '../../db/schema';
import type { RecordStateResult } from '../../activities/read-model';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { type AuditEvent, type DecideInput, workflowIdFor } from '../../workflows/messages';

export interface HistoryDeps {
  db: Db;
  temporal: Client;
}

/** A history as `temporal workflow show --output json` writes it (proto JSON: int64 as strings, enums as names). */
export interface HistoryJson {
  events: HistoryEventJson[];
}

export type HistoryEventJson = Record<string, unknown> & { eventId?: string | number; eventType?: string; eventTime?: string };

export type HistorySource = 'temporal' | 'archive';

export type RefusedDecisionRow = typeof refusedDecisions.$inferSelect;

const GRPC_NOT_FOUND = 5;

/** describe() maps an unknown workflow to WorkflowNotFoundError; fetchHistory() lets the raw gRPC NOT_FOUND through. */
function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND);
}

/** The archived history of an order, if it was archived. */
export function readArchivedHistory(db: Db, orderId: string): HistoryJson | undefined {
  const row = db.select({ history: orderHistories.history }).from(orderHistories).where(eq(orderHistories.orderId, orderId)).get();
  return row ? (JSON.parse(row.history) as HistoryJson) : undefined;
}

/** The order's history as Temporal has it now (running or closed); undefined when Temporal does not know it. */
export async function fetchTemporalHistory(temporal: Client, orderId: string): Promise<HistoryJson | undefined> {
  try {
    return JSON.parse(historyToJSON(await temporal.workflow.getHandle(workflowIdFor(orderId)).fetchHistory()));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The order's full history: the archived copy when there is one, else Temporal's; undefined when neither has it. */
export async function fetchOrderHistory(
  deps: HistoryDeps,
  orderId: string,
): Promise<{ history: HistoryJson; source: HistorySource } | undefined> {
  const archived = readArchivedHistory(deps.db, orderId);
  if (archived) return { history: archived, source: 'archive' };
  const live = await fetchTemporalHistory(deps.temporal, orderId);
  return live && { history: live, source: 'temporal' };
}

export type ArchiveResult = 'archived' | 'running' | 'not_found';

/**
 * Stores the history of the order's workflow once it is closed. Idempotent: archiving again rewrites the same
 * row (a closed history never changes). A running workflow is left alone: its history is still growing.
 */
export async function archiveHistory(deps: HistoryDeps, orderId: string): Promise<ArchiveResult> {
  const handle = deps.temporal.workflow.getHandle(workflowIdFor(orderId));
  try {
    const desc = await handle.describe();
    if (desc.status.name === 'RUNNING') return 'running';
    // Pin the run described, so the history stored is the closed one even if the id were reused meanwhile.
    const history = await deps.temporal.workflow.getHandle(desc.workflowId, desc.runId).fetchHistory();
    const json = historyToJSON(history);
    deps.db
      .insert(orderHistories)
      .values({ orderId, workflowId: desc.workflowId, runId: desc.runId, history: json })
      .onConflictDoUpdate({ target: orderHistories.orderId, set: { workflowId: desc.workflowId, runId: desc.runId, history: json } })
      .run();
    return 'archived';
  } catch (err) {
    if (isNotFound(err)) return 'not_found';
    throw err;
  }
}

export interface AuditTimeline {
  orderId: string;
  events: AuditEvent[];
}

function attrs(e: HistoryEventJson, key: string): Record<string, unknown> | undefined {
  const v = e[key];
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

/** Proto JSON payloads (base64 metadata and data) decoded with the default payload converter the app uses. */
export function decodePayloads(payloads: unknown): unknown[] {
  const list = (payloads as { payloads?: JsonPayload[] } | undefined)?.payloads ?? [];
  return list.map((p) =>
    defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(p.data ?? '', 'base64'),
    }),
  );
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function isType(e: HistoryEventJson, name: string): boolean {
  // Both spellings exist in the wild: `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` (proto JSON) and `ActivityTaskScheduled`.
  const t = String(e.eventType ?? '');
  return t === `EVENT_TYPE_${name}` || t.toUpperCase() === name.replace(/_/g, '');
}

/**
 * The readable timeline of an order: the audit events the workflow recorded (decoded from the results of the
 * `recordState` local activity), decisions that passed their validator but lost in the handler (a race), and the
 * refused attempts the API stored, sorted by time (events of one instant keep their recorded order).
 */
export function buildAuditTimeline(orderId: string, history: HistoryJson, refused: readonly RefusedDecisionRow[]): AuditTimeline {
  const events: AuditEvent[] = [];
  const acceptedDecisions = new Map<string, { at: string; input: DecideInput }>();

  for (const e of history.events) {
    if (isType(e, 'MARKER_RECORDED')) {
      // recordState runs as a local activity: its marker keeps the activity type (details.data) and the
      // result (details.result), which hands back the audit events it wrote.
      const a = attrs(e, 'markerRecordedEventAttributes') as { markerName?: string; details?: Record<string, unknown> } | undefined;
      if (a?.markerName !== LOCAL_ACTIVITY_MARKER) continue;
      const [meta] = decodePayloads(a.details?.data) as [{ activity_type?: string } | undefined];
      if (meta?.activity_type !== 'recordState') continue;
      const [result] = decodePayloads(a.details?.result) as [RecordStateResult | undefined];
      for (const ev of result?.events ?? []) events.push(ev);
    } else if (isType(e, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')) {
      const req = attrs(e, 'workflowExecutionUpdateAcceptedEventAttributes')?.acceptedRequest as
        | { meta?: { updateId?: string }; input?: { name?: string; args?: unknown } }
        | undefined;
      const id = req?.meta?.updateId;
      if (!id || req.input?.name !== 'decideUpdate') continue;
      const [input] = decodePayloads(req.input.args) as [DecideInput | undefined];
      if (input) acceptedDecisions.set(id, { at: String(e.eventTime ?? ''), input });
    } else if (isType(e, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')) {
      const a = attrs(e, 'workflowExecutionUpdateCompletedEventAttributes') as
        | { meta?: { updateId?: string }; outcome?: { failure?: { message?: string } } }
        | undefined;
      const accepted = a?.meta?.updateId ? acceptedDecisions.get(a.meta.updateId) : undefined;
      const failure = a?.outcome?.failure;
      if (!accepted || !failure) continue;
      events.push({
        at: accepted.at,
        type: 'decision_refused',
        step: accepted.input.step,
        actor: accepted.input.actor.id,
        detail: { decision: accepted.input.decision, reason: failure.message ?? 'refused by the workflow', source: 'workflow' },
      });
    }
  }

  for (const r of refused) {
    // The API may also have stored a refusal the workflow itself recorded (a lost race): keep one of the two.
    const dup = events.find(
      (e) => e.type === 'decision_refused' && e.actor === r.actor && e.step === r.step && Math.abs(Date.parse(e.at) - Date.parse(r.at)) < 60_000,
    );
    if (dup) {
      dup.detail = { ...dup.detail, reason: r.reason, status: r.status, source: 'api' };
      continue;
    }
    events.push({
      at: r.at,
      type: 'decision_refused',
      step: r.step as AuditEvent['step'],
      actor: r.actor,
      detail: { reason: r.reason, status: r.status, source: 'api' },
    });
  }

  // Array.prototype.sort is stable: events recorded at the same instant keep the workflow's order.
  events.sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  return { orderId, events };
}

/** The refused decision attempts the API stored for the order. */
export function refusedDecisionsOf(db: Db, orderId: string): RefusedDecisionRow[] {
  return db.select().from(refusedDecisions).where(eq(refusedDecisions.orderId, orderId)).all();
}

/** The audit timeline of an order, or undefined when no history is known for it. */
export async function orderAuditTimeline(deps: HistoryDeps, orderId: string): Promise<(AuditTimeline & { source: HistorySource }) | undefined> {
  const found = await fetchOrderHistory(deps, orderId);
  if (!found) return undefined;
  return { ...buildAuditTimeline(orderId, found.history, refusedDecisionsOf(deps.db, orderId)), source: found.source };
}
