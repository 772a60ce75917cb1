/** Opaque keyset cursors: base64url JSON of the last row's sort key. Clients must not build them. */
import { problems } from './problem';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor into `arity` string/number parts; a malformed one is a 400 on `cursor`. */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((p) => typeof p === 'string' || typeof p === 'number')) {
      return key as (string | number)[];
    }
  } catch {
    // fall through
  }
  throw problems.badRequest('the cursor is invalid', [{ path: 'cursor', message: 'not a cursor this API issued' }]);
}

/** Splits a `limit + 1` query result into a page and the cursor of the next one. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const pageRows = rows.slice(0, limit);
  return { rows: pageRows, nextCursor: encodeCursor(keyOf(pageRows[pageRows.length - 1]!)) };
}
