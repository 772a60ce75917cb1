/**
 * Helmet headers and the rate limits. Three budgets, each with its own counters:
 * - a principal's requests, keyed by principal id once its token is known: one busy integrator cannot starve the
 *   others behind the same proxy, and its 403s count against its own budget;
 * - failed authentications (missing or unknown token), keyed by client IP: token guessing is slow, and since a
 *   valid token never touches this budget, an anonymous flood from an IP cannot lock a real principal out, even
 *   one that uses the same IP;
 * - the open pages (docs, console), keyed by client IP.
 * The auth plugin applies them in that order (see auth.ts); the plugin's own per-route hooks would run after
 * authentication and never see a request that failed it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../problem';
import { SnapshotStore } from './rate-limit-store';

export interface SecurityOptions {
  /** Requests per principal (and per IP on the open pages) per window; default 600. */
  max?: number;
  /** Failed authentications per client IP per window; default 30. */
  authFailuresMax?: number;
  /** Window length in ms; default one minute. */
  timeWindowMs?: number;
}

/** Counts one request against a budget; throws a 429 problem when the budget is spent. */
export type Limiter = (request: FastifyRequest) => Promise<void>;

export interface Limiters {
  principal: Limiter;
  authFailure: Limiter;
  open: Limiter;
}

declare module 'fastify' {
  interface FastifyInstance {
    limiters: Limiters;
  }
}

/** Swagger UI (served from /docs, same origin) needs inline styles and data: images; nothing else is loosened. */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      objectSrc: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
};

/** The headers helmet sets with these options, in its order (its middleware run once against a recording response). */
export function helmetHeaders(options: HelmetOptions): [string, string][] {
  const set = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => set.delete(name.toLowerCase()),
  };
  let done = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return [...set];
}

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions): Promise<void> {
  // The same headers on every answer, computed once: @fastify/helmet ran helmet's middleware per request, parsing
  // the CSP directives each time (8 % of a GET's CPU in the S3 profile). No nonces, so nothing varies per request.
  const headers = helmetHeaders(HELMET_OPTIONS);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
  // global: false — the limiters below are applied by the auth hook, in the order the design needs.
  await app.register(rateLimit, { global: false, store: SnapshotStore });

  const timeWindow = opts.timeWindowMs ?? 60_000;
  const limiter = (max: number, key: (r: FastifyRequest) => string, what: string): Limiter => {
    const check = app.createRateLimit({ max, timeWindow, keyGenerator: key });
    return async (request) => {
      const state = await check(request);
      if (state.isAllowed || !state.isExceeded) return;
      throw new HttpProblem(429, `${what}: at most ${max} per ${Math.round(timeWindow / 1000)} s; retry after ${state.ttlInSeconds} s`, {
        type: 'rate-limited',
        headers: { 'retry-after': String(Math.max(1, state.ttlInSeconds)) },
      });
    };
  };
  app.decorate('limiters', {
    principal: limiter(opts.max ?? 600, (r) => `principal:${r.principal?.id ?? '?'}`, 'too many requests from this principal'),
    authFailure: limiter(opts.authFailuresMax ?? 30, (r) => `ip:${r.ip}`, 'too many failed authentication attempts from this address'),
    open: limiter(opts.max ?? 600, (r) => `ip:${r.ip}`, 'too many requests from this address'),
  });
}

export default fp(securityPlugin, { name: 'security' });
