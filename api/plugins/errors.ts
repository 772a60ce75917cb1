/**
 * One error handler for the whole API: validation → 400 with field errors, deliberate HttpProblems as thrown,
 * framework 4xx (bad or empty JSON, body too large, unsupported media type, rate limit) as problems of our own
 * types, and every 5xx hidden behind a generic message (the details go to the log only). Unknown routes answer a
 * 404 problem.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { type FieldError, HttpProblem, type ProblemBody, problemFor } from '../problem';
import { problemResponse } from '../schemas/common';

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

const MiB = 1024 * 1024;

function sizeOf(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/**
 * Fastify's own 4xx (content type, body size, empty or malformed body, rate limit) in our words and types.
 * Their default messages name neither the limit nor what would have been accepted.
 */
function frameworkProblem(err: FastifyError, request: FastifyRequest, status: number): ProblemBody {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problemFor(
        415,
        // The client's header, quoted and cut short: it is echoed back, and headers may be kilobytes long.
        `unsupported media type ${JSON.stringify((request.headers['content-type'] ?? '').slice(0, 100))}: send the body as application/json`,
        'unsupported-media-type',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problemFor(413, `the body is larger than the limit of ${sizeOf(request.routeOptions.bodyLimit)} for this operation`, 'payload-too-large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problemFor(400, 'the body is empty although content-type is application/json: send a JSON object', 'malformed-json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problemFor(400, 'the body is not valid JSON although content-type is application/json', 'malformed-json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problemFor(400, 'the content-length header does not match the body', 'bad-request');
    default:
      // Other framework errors below 500 (a bad URL, a bad header) carry messages written for clients.
      return problemFor(status, err.message);
  }
}

/**
 * Documents the errors above in the OpenAPI description: 400 on every operation that validates input, 413 and
 * 415 on every operation with a body. Added here, where they are answered, so no route can forget them.
 */
function documentFrameworkErrors(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema || schema.hide) return;
  const responses = (schema.response ??= {}) as Record<string, unknown>;
  if (schema.body || schema.params || schema.querystring || schema.headers) responses['400'] ??= problemResponse;
  if (schema.body) {
    responses['413'] ??= problemResponse;
    responses['415'] ??= problemResponse;
  }
}

function send(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type(PROBLEM_JSON).send(body);
}

/** Fastify's router's longest path parameter (its default); every id the API issues is far shorter. */
export const MAX_PARAM_LENGTH = 100;

/**
 * The router's own refusals, before any route or hook runs: a malformed percent-encoding and a path parameter
 * longer than {@link MAX_PARAM_LENGTH}. Fastify would answer them in its own format (and the second as 414, which
 * no operation documents); both are a bad path parameter, so 400 like any other invalid one.
 */
export function routerErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters; no id is that long`
      : 'the path is not a valid URL: a percent sign must start a valid escape (%XX)';
  send(reply, problemFor(400, detail, 'bad-request'));
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', documentFrameworkErrors);

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
    if (status >= 400 && status < 500) return send(reply, frameworkProblem(err, request, status));
    request.log.error({ err }, 'unhandled error');
    return send(reply, problemFor(500, 'an internal error occurred; it was logged', 'internal'));
  });

  app.setNotFoundHandler((request, reply) => {
    return send(reply, problemFor(404, `no route ${request.method} ${request.url.split('?')[0]}`, 'not-found'));
  });
}

export default fp(errorsPlugin, { name: 'errors' });
