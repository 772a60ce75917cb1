/**
 * Helmet headers and a per-principal rate limit. The limit is keyed by the bearer token's hash when there is one
 * (so one busy integrator cannot starve the others behind the same proxy), otherwise by client IP.
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hashToken } from '../../db/principals';
import { bearerToken } from './auth';

export interface SecurityOptions {
  /** Requests per principal (or IP) per window; default 600. */
  max?: number;
  /** Window length in ms; default one minute. */
  timeWindowMs?: number;
}

async function securityPlugin(app: FastifyInstance, opts: SecurityOptions): Promise<void> {
  await app.register(helmet, {
    // Swagger UI (served from /docs, same origin) needs inline styles and data: images; nothing else is loosened.
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
  });
  await app.register(rateLimit, {
    global: true,
    max: opts.max ?? 600,
    timeWindow: opts.timeWindowMs ?? 60_000,
    keyGenerator: (request) => {
      const token = bearerToken(request.headers.authorization);
      return token ? `token:${hashToken(token)}` : `ip:${request.ip}`;
    },
  });
}

export default fp(securityPlugin, { name: 'security' });
