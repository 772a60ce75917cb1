/**
 * One error handler for the whole API: validation → 400 with field errors, deliberate HttpProblems as thrown,
 * framework 4xx (bad JSON, body too large, rate limit) as problems, and every 5xx hidden behind a generic
 * message (the details go to the log only). Unknown routes answer a 404 problem.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { type FieldError, HttpProblem, type ProblemBody, problemFor } from '../problem';

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

interface ValidationItem {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** `/lines/0/quantity` → `lines.0.quantity`; unknown keys are reported at their own path. */
export function fieldErrors(validation: readonly ValidationItem[]): FieldError[] {
  const out: FieldError[] = [];
  for (const v of validation) {
    const base = (v.instancePath ?? '').split('/').filter(Boolean).join('.');
    const keys = v.params?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      for (const key of keys) out.push({ path: base ? `${base}.${String(key)}` : String(key), message: 'unknown field' });
      continue;
    }
    out.push({ path: base, message: v.message ?? 'invalid value' });
  }
  return out;
}

function send(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type(PROBLEM_JSON).send(body);
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError | HttpProblem, request, reply) => {
    if (err instanceof HttpProblem) {
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      if (err.status >= 500) request.log.warn({ err }, 'request failed');
      return send(reply, err.toBody());
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      const errors = fieldErrors(err.validation as ValidationItem[]);
      return send(reply, {
        ...problemFor(400, `the ${where} is invalid`, 'validation'),
        title: 'Invalid request',
        errors,
      });
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Framework errors below 500 (malformed JSON, body too large, unsupported media type, rate limit)
      // carry messages written for clients.
      const type = status === 429 ? 'rate-limited' : err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'malformed-json' : undefined;
      return send(reply, problemFor(status, err.message, type));
    }
    request.log.error({ err }, 'unhandled error');
    return send(reply, problemFor(500, 'an internal error occurred; it was logged', 'internal'));
  });

  app.setNotFoundHandler((request, reply) => {
    return send(reply, problemFor(404, `no route ${request.method} ${request.url.split('?')[0]}`, 'not-found'));
  });
}

export default fp(errorsPlugin, { name: 'errors' });
