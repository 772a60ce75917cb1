/**
 * Replaying a workflow history against the current workflow code: does today's code make the same decisions
 * the recorded run made? Used by POST /v1/replay and `npm run replay`. Replay runs entirely in this process
 * (a replay worker has no connection): it starts nothing on any server.
 */
import path from 'node:path';
import proto from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle, Worker } from '@temporalio/worker';
import { z } from 'zod';
import type { FieldError } from '../problem';
import { type History, historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { type OrderReviewInput, WORKFLOW_TYPE, workflowIdFor } from '../../workflows/messages';

/** Temporal's own limit on the events of one execution; a longer list is not a real history. */
export const MAX_HISTORY_EVENTS = 51_200;

export type ReplayVerdict = { workflowId: string; deterministic: true } | { workflowId: string; deterministic: false; error: string };

/** The input is not a history we can replay: 400 (malformed) or 422 (a history, but not of an order review). */
export class HistoryInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 422,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'HistoryInputError';
  }
}

const eventSchema = z.looseObject({
  eventId: z.union([z.string().regex(/^[1-9]\d{0,18}$/, 'must be a positive integer'), z.number().int().positive()]),
  eventType: z.string().min(1).max(200),
});

/** The shape of a history JSON as `temporal workflow show --output json` writes it (checked before decoding). */
export const historyBodySchema = z
  .looseObject({
    events: z.array(eventSchema).min(1, 'a history has at least one event').max(MAX_HISTORY_EVENTS),
  })
  .meta({
    id: 'WorkflowHistory',
    description: 'A Temporal workflow history as `temporal workflow show --output json` or GET /v1/orders/{orderId}/history writes it',
  });

export interface ParsedHistory {
  history: History;
  workflowId: string;
  workflowType: string;
  /** Why the events cannot be a real run's history (gaps, reordering); such a history never replays. */
  inconsistency?: string;
}

function issuesToErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Checks and decodes a history JSON. Throws HistoryInputError when it is not a history (400) or is the history
 * of another workflow type (422).
 */
/**
 * `workflowTypes`: the workflows whose histories are accepted — order reviews for auditors (POST /v1/replay); the
 * replay gate also replays the event relays' histories.
 */
export function parseHistory(body: unknown, opts: { workflowTypes?: readonly string[] } = {}): ParsedHistory {
  const accepted = opts.workflowTypes ?? [WORKFLOW_TYPE];
  const shape = historyBodySchema.safeParse(body);
  if (!shape.success) throw new HistoryInputError('the body is not a workflow history', 400, issuesToErrors(shape.error.issues));
  const first = shape.data.events[0] as Record<string, unknown>;
  const startType = String(first.eventType);
  if (startType !== 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' && startType !== 'WorkflowExecutionStarted') {
    throw new HistoryInputError('a history starts with its WorkflowExecutionStarted event', 400, [
      { path: 'events.0.eventType', message: `expected EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, got ${startType.slice(0, 100)}` },
    ]);
  }
  let history: History;
  try {
    history = historyFromJSON(body);
  } catch (err) {
    throw new HistoryInputError(`the history cannot be decoded: ${(err as Error).message.slice(0, 300)}`, 400, [
      { path: 'events', message: 'not a valid Temporal history event list' },
    ]);
  }
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const workflowType = started?.workflowType?.name ?? '';
  if (!started || !workflowType) {
    throw new HistoryInputError('the WorkflowExecutionStarted event names no workflow type', 400, [
      { path: 'events.0.workflowExecutionStartedEventAttributes.workflowType.name', message: 'required' },
    ]);
  }
  if (!accepted.includes(workflowType)) {
    throw new HistoryInputError(
      `this is a history of workflow type "${workflowType.slice(0, 200)}"; only ${WORKFLOW_TYPE} histories (order reviews) can be replayed here`,
      422,
      [{ path: 'events.0.workflowExecutionStartedEventAttributes.workflowType.name', message: `must be ${WORKFLOW_TYPE}` }],
    );
  }
  if (!started.taskQueue?.name) {
    throw new HistoryInputError('the WorkflowExecutionStarted event names no task queue', 400, [
      { path: 'events.0.workflowExecutionStartedEventAttributes.taskQueue.name', message: 'required' },
    ]);
  }
  return {
    history,
    workflowId: started.workflowId || workflowIdFromInput(started.input) || 'unknown',
    workflowType,
    inconsistency: inconsistencyOf(history),
  };
}

const EventType = proto.temporal.api.enums.v1.EventType;
/** What may follow a WorkflowTaskStarted event in a real history. */
const AFTER_WFT_STARTED = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
]);

/**
 * The structural checks Temporal's core makes before it replays. They are made here first because core *panics*
 * on a history that fails them (its replay worker then never answers): ids must run 1, 2, 3… and every workflow
 * task that started must complete, fail or time out next.
 */
function inconsistencyOf(history: History): string | undefined {
  const events = history.events ?? [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const id = Number(e.eventId?.toString() ?? 0);
    if (id !== i + 1) return `events are out of order or missing: event #${i + 1} in the list has id ${id}`;
    const next = events[i + 1];
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && next && !AFTER_WFT_STARTED.has(next.eventType ?? 0)) {
      return `events are out of order: workflow task started at event ${id} is followed by ${EventType[next.eventType ?? 0] ?? next.eventType}`;
    }
  }
  return undefined;
}

/** Older servers do not copy the workflow id into the start event; the order id in the input names it too. */
function workflowIdFromInput(input: { payloads?: unknown[] | null } | null | undefined): string | undefined {
  try {
    const payload = input?.payloads?.[0];
    if (!payload) return undefined;
    const decoded = defaultPayloadConverter.fromPayload(payload as never) as Partial<OrderReviewInput>;
    const orderId = decoded?.order?.orderId;
    return typeof orderId === 'string' ? workflowIdFor(orderId) : undefined;
  } catch {
    return undefined;
  }
}

const WORKFLOWS_PATH = path.resolve(__dirname, '../../workflows');

let bundle: Promise<WorkflowBundle> | undefined;

/**
 * The current workflow code, bundled once per process on first use (webpack takes seconds, so never per request).
 * A failed build is forgotten so the next call tries again.
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }).catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

export interface ReplayOptions {
  /** The workflow code to replay against; default: the current code (workflowBundle()). */
  bundle?: WorkflowBundle;
  /** Answer `deterministic: false` after this long; default 30 s. */
  timeoutMs?: number;
  /** Called when a replay that timed out finally settles (the caller may hold a concurrency slot until then). */
  onSettled?: () => void;
}

export const REPLAY_TIMED_OUT = 'replay timed out';

/**
 * Replays one parsed history. Any replay failure — a determinism violation, the workflow code failing on the
 * recorded input, a history core rejects as inconsistent — means the current code does not reproduce it.
 */
export async function replayHistory(parsed: ParsedHistory, opts: ReplayOptions = {}): Promise<ReplayVerdict> {
  const { workflowId } = parsed;
  if (parsed.inconsistency) {
    opts.onSettled?.();
    return { workflowId, deterministic: false, error: `the history is not consistent: ${parsed.inconsistency}` };
  }
  const code = opts.bundle ?? (await workflowBundle());
  const run = Worker.runReplayHistory({ workflowBundle: code, replayName: 'order-review-replay' }, parsed.history, workflowId).then(
    (): ReplayVerdict => ({ workflowId, deterministic: true }),
    (err: unknown): ReplayVerdict => ({ workflowId, deterministic: false, error: describeReplayError(err) }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReplayVerdict>((resolve) => {
    timer = setTimeout(() => resolve({ workflowId, deterministic: false, error: REPLAY_TIMED_OUT }), opts.timeoutMs ?? 30_000);
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
    // A replay worker cannot be aborted from outside: tell the caller when it really ends.
    void run.finally(() => opts.onSettled?.());
  }
}

function describeReplayError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 2000);
  return String(err).slice(0, 2000);
}
