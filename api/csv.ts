/**
 * CSV answers (contract section 11): a route answers CSV when asked with `format=csv` or an Accept header that
 * prefers text/csv over JSON; JSON otherwise (also for `*\/*` and no Accept at all).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CSV_TYPE = 'text/csv; charset=utf-8';

/** The q-value the Accept header gives a media type (exact, then type/*, then *\/*); 0 when it lists none. */
function quality(accept: string, type: string): number {
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const value = q === undefined ? 1 : Number(q);
    const specificity = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      best = Number.isFinite(value) ? value : 0;
    }
  }
  return Math.max(best, 0);
}

export function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept;
  if (!accept) return false;
  const csv = quality(accept, 'text/csv');
  return csv > 0 && csv > quality(accept, 'application/json');
}

/** Sends `text` as a CSV download named `filename`. */
export function sendCsv(reply: FastifyReply, text: string, filename: string): FastifyReply {
  return reply.type(CSV_TYPE).header('content-disposition', `attachment; filename="${filename}"`).header('vary', 'Accept').send(text);
}
