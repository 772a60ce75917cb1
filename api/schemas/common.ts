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

/** Problem responses for the OpenAPI description of a route. */
export function problemResponses<const C extends number>(...codes: C[]): Record<C, typeof problem> {
  return Object.fromEntries(codes.map((c) => [c, problem])) as Record<C, typeof problem>;
}

/** Problems every authenticated route may answer. */
export const authProblems = problemResponses(401, 403, 429);

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional().describe('opaque cursor from a previous page (nextCursor)'),
};

export const nextCursor = z.string().nullable().describe('pass as `cursor` to fetch the next page; null on the last page');

/** Payment terms as orders and customers name them, e.g. "NET30". */
export const paymentTerms = z.string().trim().min(1).max(32);

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
  name: z.string().trim().min(1).max(200).optional(),
  street: z.string().trim().min(1).max(400),
  city: z.string().trim().min(1).max(200),
  postalCode: z.string().trim().min(1).max(20).optional(),
  country: z.string().regex(/^[A-Za-z]{2}$/, 'must be a 2-letter ISO 3166 country code, e.g. "CN"'),
});
