/**
 * The 200 answer of GET /v1/events, written from the stored rows with each event's `data` spliced in as the JSON
 * text the log holds, instead of parsed (by drizzle) and written again (by the schema's fast-json-stringify): for
 * a page of 500 that parse and re-serialisation were about a quarter of the API's CPU (BENCHMARKS.md, S8).
 *
 * The bytes are the same as the schema's serialiser writes for the parsed page (test/api/event-page-bytes.test.ts
 * compares them): `appendEvents` stores `JSON.stringify(data)`, and for any text JSON.stringify made,
 * `JSON.stringify(JSON.parse(text)) === text` (no whitespace, one escaping of strings, shortest round-trip numbers,
 * keys in the order an object's own keys come out in again) — which is what fast-json-stringify writes for a
 * `z.record(z.string(), z.unknown())`: each key by `asString` (JSON.stringify's quoting) and each value by
 * JSON.stringify. A row this does not hold for by construction goes through the schema's own serialiser, parsed:
 * rows migration 0001 wrote with SQLite's json_object (ids `refused-…`), and any row with a field of a type or value
 * the schema would treat differently (a step outside the enum still fails the answer, as it did).
 */
import type { FastifySerializerCompiler } from 'fastify';
import fastJson from 'fast-json-stringify';
import type { FeedEventRow } from '../db/events';
import type { EventType, LoggedEvent } from '../domain/events';
import { STEP_IDS, type StepId } from '../domain/types';
import { eventView } from './schemas/events';
import { serializationSchemaOf, serializerCompiler } from './serializer';

/** What the events route hands its serialiser: the page as stored. */
export interface StoredEventPage {
  items: FeedEventRow[];
  nextCursor: string | null;
  hasMore: boolean;
}

/** Ids of the events migration 0001 logged with SQLite's json_object (the refusals recorded before the log). */
const SQL_WRITTEN_ID_PREFIX = 'refused-';
const STEPS: ReadonlySet<string> = new Set(STEP_IDS);
const OPEN_BRACE = 0x7b;

let schemaItem: ((event: unknown) => string) | undefined;
/** The serialiser the schema compiles for one event: the reference for rows not written by `appendEvents`. */
function bySchema(row: FeedEventRow): string {
  schemaItem ??= fastJson(serializationSchemaOf(eventView) as unknown as Parameters<typeof fastJson>[0]) as (event: unknown) => string;
  const [, id, seq, type, at, orderId, revision, step, actor, data] = row;
  const event: LoggedEvent = { id, seq, type: type as EventType, at, orderId, revision, step: step as StepId | null, actor, data: JSON.parse(data) as Record<string, unknown> };
  return schemaItem(event);
}

function item(row: FeedEventRow): string {
  const [, id, seq, type, at, orderId, revision, step, actor, data] = row;
  // Strings are quoted by JSON.stringify, as fast-json-stringify's asString does (its loop writes the same bytes);
  // integers by '' + n, as its asInteger does for a Number.isInteger value.
  if (
    typeof id === 'string' &&
    !id.startsWith(SQL_WRITTEN_ID_PREFIX) &&
    Number.isInteger(seq) &&
    typeof type === 'string' &&
    typeof at === 'string' &&
    (orderId === null || typeof orderId === 'string') &&
    (revision === null || Number.isInteger(revision)) &&
    (step === null || STEPS.has(step)) &&
    typeof actor === 'string' &&
    typeof data === 'string' &&
    data.charCodeAt(0) === OPEN_BRACE
  ) {
    return (
      '{"id":' + JSON.stringify(id) +
      ',"seq":' + seq +
      ',"type":' + JSON.stringify(type) +
      ',"at":' + JSON.stringify(at) +
      ',"orderId":' + (orderId === null ? 'null' : JSON.stringify(orderId)) +
      ',"revision":' + (revision === null ? 'null' : '' + revision) +
      ',"step":' + (step === null ? 'null' : JSON.stringify(step)) +
      ',"actor":' + JSON.stringify(actor) +
      ',"data":' + data +
      '}'
    );
  }
  return bySchema(row);
}

export function serializeEventPage(page: StoredEventPage): string {
  const { items, nextCursor, hasMore } = page;
  let json = '{"items":[';
  for (let i = 0; i < items.length; i++) json += (i === 0 ? '' : ',') + item(items[i]!);
  return json + '],"nextCursor":' + (nextCursor === null ? 'null' : JSON.stringify(nextCursor)) + ',"hasMore":' + (hasMore ? 'true' : 'false') + '}';
}

/** The events route's serialiser compiler: this page for 200, the app's for its problems. */
export const eventPageSerializerCompiler: FastifySerializerCompiler<unknown> = (route) =>
  route.httpStatus === '200' ? (page) => serializeEventPage(page as StoredEventPage) : serializerCompiler(route);
