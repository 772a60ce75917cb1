/**
 * What a master-data write changed, field by field (contract section 10). Pure: the API and the seed compute a
 * version's `changes` with it, and the values are compared in their API form, so "12.5" and "12.50" are no change.
 */

/** The master-data records that keep versions. */
export const MASTER_DATA_ENTITIES = ['customer', 'product', 'material', 'capacity'] as const;
export type MasterDataEntity = (typeof MASTER_DATA_ENTITIES)[number];

/** One field's change; `from` is null when the record is created. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/** field → its change; only the fields that changed. */
export type FieldChanges = Record<string, FieldChange>;

/** One kept version of a record, as `GET …/versions` lists it. */
export interface MasterDataVersion {
  version: number;
  at: string;
  by: string;
  changes: FieldChanges;
}

/** JSON with object keys sorted, so two equal values (whatever their key order) give the same string. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The fields whose value differs between `before` (undefined: the record is new) and `after`. A new record lists
 * every field of `after`, each from null. Arrays compare in order (callers sort where order carries no meaning).
 */
export function diffFields(before: Record<string, unknown> | undefined, after: Record<string, unknown>): FieldChanges {
  const changes: FieldChanges = {};
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  for (const key of keys) {
    const from = before === undefined ? undefined : before[key];
    const to = after[key];
    if (before !== undefined && canonical(from) === canonical(to)) continue;
    changes[key] = { from: from ?? null, to: to ?? null };
  }
  return changes;
}
