/** RFC 9457 problem details: the one error shape every route answers with. */
import { STATUS_CODES } from 'node:http';

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TYPE_PREFIX = 'urn:order-review:problem:';

/**
 * The problem type of a status when no more specific one is given. Every answer carries one of our own types
 * (never `about:blank`), so clients can switch on `type` for framework errors too.
 */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  408: 'request-timeout',
  409: 'conflict',
  411: 'length-required',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  431: 'headers-too-large',
  500: 'internal',
  503: 'unavailable',
  504: 'timeout',
};

/** Our problem type URI for a short type name, or for the status when there is none. */
export function problemType(status: number, type?: string): string {
  return `${TYPE_PREFIX}${type ?? TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server-error' : 'client-error')}`;
}

/** An error a route throws on purpose; the error handler answers it as application/problem+json. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    opts: { type?: string; title?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.type = problemType(status, opts.type);
    this.title = opts.title ?? STATUS_CODES[status] ?? 'Error';
    this.errors = opts.errors;
    this.headers = opts.headers ?? {};
  }

  toBody(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const problems = {
  badRequest: (detail: string, errors?: FieldError[]) =>
    new HttpProblem(400, detail, { type: 'validation', title: 'Invalid request', errors }),
  unauthorized: (detail: string, invalidToken = false) =>
    new HttpProblem(401, detail, {
      type: 'unauthenticated',
      headers: {
        'www-authenticate': invalidToken ? 'Bearer realm="order-review", error="invalid_token"' : 'Bearer realm="order-review"',
      },
    }),
  forbidden: (detail: string) => new HttpProblem(403, detail, { type: 'forbidden' }),
  notFound: (detail: string) => new HttpProblem(404, detail, { type: 'not-found' }),
  conflict: (detail: string) => new HttpProblem(409, detail, { type: 'conflict' }),
  /** `type`: unknown-reference (names master data that does not exist), missing-default, invalid-repeat. */
  unprocessable: (detail: string, errors: FieldError[], opts: { type?: string; title?: string } = {}) =>
    new HttpProblem(422, detail, { type: opts.type ?? 'unknown-reference', title: opts.title ?? 'Unprocessable order', errors }),
  unavailable: (detail: string, retryAfterSeconds = 5) =>
    new HttpProblem(503, detail, { type: 'unavailable', headers: { 'retry-after': String(retryAfterSeconds) } }),
  gatewayTimeout: (detail: string) => new HttpProblem(504, detail, { type: 'timeout' }),
};

/** A generic problem body for a status (used for framework errors and hidden 5xx). */
export function problemFor(status: number, detail: string, type?: string): ProblemBody {
  return {
    type: problemType(status, type),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
  };
}
