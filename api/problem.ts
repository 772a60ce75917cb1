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
    this.type = opts.type ? `${TYPE_PREFIX}${opts.type}` : 'about:blank';
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
  unprocessable: (detail: string, errors: FieldError[], type = 'unknown-reference') =>
    new HttpProblem(422, detail, { type, title: 'Unprocessable order', errors }),
  unavailable: (detail: string, retryAfterSeconds = 5) =>
    new HttpProblem(503, detail, { type: 'unavailable', headers: { 'retry-after': String(retryAfterSeconds) } }),
  gatewayTimeout: (detail: string) => new HttpProblem(504, detail, { type: 'timeout' }),
};

/** A generic problem body for a status (used for framework errors and hidden 5xx). */
export function problemFor(status: number, detail: string, type?: string): ProblemBody {
  return {
    type: type ? `${TYPE_PREFIX}${type}` : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
  };
}
