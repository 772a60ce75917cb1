/** Building blocks shared by the resource schemas. */
import { z } from 'zod';
import { MONEY_PATTERN } from '../../domain/money';

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const id = z.string().regex(ID_PATTERN, 'must be 1–64 characters of A–Z, a–z, 0–9, ".", "_" or "-"');

/** A decimal string with at most 2 fraction digits, e.g. "1250.00". */
export const money = z
  .string()
  .regex(MONEY_PATTERN, 'must be a non-negative decimal amount with at most 2 fraction digits, e.g. "1250.00"')
  .meta({ example: '1250.00' });

/*
 * Control characters hide or rewrite what a reviewer sees (NUL, escape sequences in a terminal, a right-to-left
 * override that reverses a name), so texts refuse them; ordinary Unicode (Chinese, accents, emoji) is fine.
 * Spelled as ranges, not \p{Cc}, so the pattern in the OpenAPI description is one every tool can read.
 */
const BIDI = '\\u202a-\\u202e\\u2066-\\u2069';
const ONE_LINE = new RegExp(`^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029${BIDI}]*$`);
const MULTI_LINE = new RegExp(`^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI}]*$`);

/** A name or other one-line text: trimmed, 1–max characters, no control characters. */
export function singleLine(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(ONE_LINE, 'must not contain control characters (line breaks, tabs, escapes, bidirectional overrides)');
}

/** Free text that may span lines: tabs and line breaks are kept, other control characters refused. */
export function multiLine(max: number) {
  return z.string().max(max).regex(MULTI_LINE, 'must not contain control characters other than tabs and line breaks');
}

export const isoTimestamp = z.string().meta({ format: 'date-time' });

export const fieldError = z.object({ path: z.string(), message: z.string() });

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(fieldError).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });

/** A problem response: documented (and serialized) as application/problem+json, the type it is sent with. */
export const problemResponse = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: problem } },
};

/** Problem responses for the OpenAPI description of a route. */
export function problemResponses<const C extends number>(...codes: C[]): Record<C, typeof problemResponse> {
  return Object.fromEntries(codes.map((c) => [c, problemResponse])) as Record<C, typeof problemResponse>;
}

/** Problems every authenticated route may answer. */
export const authProblems = problemResponses(401, 403, 429);

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional().describe('opaque cursor from a previous page (nextCursor)'),
};

export const nextCursor = z.string().nullable().describe('pass as `cursor` to fetch the next page; null on the last page');

/** Payment terms as orders and customers name them, e.g. "NET30". */
export const paymentTerms = singleLine(32);

export const currency = z.string().regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 currency code, e.g. "CNY"');

/** A delivery address, as the API shows it. */
export const shipToView = z.object({
  name: z.string().optional(),
  street: z.string(),
  city: z.string(),
  postalCode: z.string().optional(),
  country: z.string(),
});

/** A delivery address, as a request gives it. */
export const shipTo = z.strictObject({
  name: singleLine(200).optional(),
  street: singleLine(400),
  city: singleLine(200),
  postalCode: singleLine(20).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO 3166 country code, e.g. "CN"'),
});

/** A day (YYYY-MM-DD) or an instant (ISO 8601 with a zone), as `from`/`to` take them. */
export const periodBound = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    { message: 'must be a date (YYYY-MM-DD) or a date-time with a zone (2026-12-01T08:00:00Z)', abort: true },
  )
  .refine((v) => !Number.isNaN(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)), 'is not a real date');

export const outputFormat = z.enum(['json', 'csv']).optional().describe('csv: the same as `Accept: text/csv`');

/** A 200 that is JSON by default and CSV on request (Accept: text/csv, or format=csv). */
export function jsonOrCsv<T extends z.ZodType>(schema: T, description: string) {
  return {
    description,
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string().describe('the same figures as CSV, with a header line') },
    },
  };
}
