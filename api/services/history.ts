/**
 * An order's Temporal history for auditors and replay: read from the archive once the order ended, else from
 * Temporal. (The readable audit timeline comes from the event log: api/services/audit.ts.)
 */
import { type Client, isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { type Db, writeTx } from '../../db/client';
import { orderHistories, orders } from '../../db/schema';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { workflowIdFor } from '../../workflows/messages';

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

const GRPC_NOT_FOUND = 5;

/** describe() maps an unknown workflow to WorkflowNotFoundError; fetchHistory() lets the raw gRPC NOT_FOUND through. */
function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND);
}

/** Whether the order's history is archived (audit answers say where the history lives). */
export function isArchived(db: Db, orderId: string): boolean {
  return !!db.select({ id: orderHistories.orderId }).from(orderHistories).where(eq(orderHistories.orderId, orderId)).get();
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

/** `orders.history_state`: where the order's history stands in the archive. */
export const HistoryState = { pending: 0, archived: 1, missing: 2 } as const;

/**
 * Marks an order whose workflow Temporal does not know (any more): the archiver stops asking for it. Never
 * overrides an archived history (another API process may have archived it meanwhile). Audit and history still
 * ask Temporal for such an order (fetchOrderHistory does not read this state), and setting it back to 0 lets the
 * archiver try again (e.g. after a pass ran against the wrong namespace).
 */
export function markHistoryMissing(db: Db, orderId: string): void {
  db.update(orders)
    .set({ historyState: HistoryState.missing })
    .where(and(eq(orders.orderId, orderId), eq(orders.historyState, HistoryState.pending)))
    .run();
}

/**
 * Stores the history of the order's workflow once it is closed, and marks the order archived. Idempotent: archiving
 * again rewrites the same row (a closed history never changes). A running workflow is left alone: its history is
 * still growing.
 */
export async function archiveHistory(deps: HistoryDeps, orderId: string): Promise<ArchiveResult> {
  const handle = deps.temporal.workflow.getHandle(workflowIdFor(orderId));
  try {
    const desc = await handle.describe();
    if (desc.status.name === 'RUNNING') return 'running';
    // Pin the run described, so the history stored is the closed one even if the id were reused meanwhile.
    const history = await deps.temporal.workflow.getHandle(desc.workflowId, desc.runId).fetchHistory();
    const json = historyToJSON(history);
    // The history and the read model's mark in one transaction: the archiver's queue (history_state = 0) never
    // holds an archived order, nor loses one whose history did not commit.
    writeTx(deps.db, (tx) => {
      tx.insert(orderHistories)
        .values({ orderId, workflowId: desc.workflowId, runId: desc.runId, history: json })
        .onConflictDoUpdate({ target: orderHistories.orderId, set: { workflowId: desc.workflowId, runId: desc.runId, history: json } })
        .run();
      tx.update(orders).set({ historyState: HistoryState.archived }).where(eq(orders.orderId, orderId)).run();
    });
    return 'archived';
  } catch (err) {
    if (isNotFound(err)) return 'not_found';
    throw err;
  }
}
