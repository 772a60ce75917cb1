/**
 * Bearer-token authentication, rate limits and role checks. Each route declares who may call it in `config.roles`;
 * the check runs onRequest, before the body is even parsed, so an anonymous caller learns nothing from validation
 * errors.
 * A /v1 route that declares no roles fails registration: access is never open by omission (the one kind of open
 * route, the customer's tracking page, says so with `config.public`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createPrincipalCache, type Principal } from '../../db/principals';
import { problems } from '../problem';
import { hasAnyRole } from '../roles';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The authenticated principal of a route that declares roles (the auth hook guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} used without authentication`);
  return request.principal;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('principal', null);
  // One principal lookup per request, from a cache a principal change anywhere empties at once (db/principals.ts).
  const principals = createPrincipalCache(app.db);

  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    if (route.url.startsWith('/v1') && !route.config?.public && (!roles || roles.length === 0)) {
      throw new Error(`route ${String(route.method)} ${route.url} must declare config.roles (or be declared public)`);
    }
  });

  // One hook, in this order: authenticate; limit (failures per IP, everything else per principal); authorise.
  // A failed authentication is counted before it is answered, so guessing tokens costs the guesser's IP budget
  // only; the principal's limit runs before the role check, so its 403s count against its own budget.
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) {
      if (request.routeOptions.config.rateLimit !== false) await app.limiters.open(request);
      return;
    }
    const token = bearerToken(request.headers.authorization);
    const principal = token ? principals.find(token) : undefined;
    if (!principal) {
      await app.limiters.authFailure(request);
      if (!token) throw problems.unauthorized('missing bearer token: send Authorization: Bearer <token>');
      throw problems.unauthorized('unknown or revoked token', true);
    }
    request.principal = principal;
    await app.limiters.principal(request);
    if (!hasAnyRole(principal, roles)) {
      const wanted = roles.map((r) => (r === 'approver' ? 'approver:<department>' : r)).join(', ');
      throw problems.forbidden(`this operation requires one of the roles: ${wanted}`);
    }
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['resources', 'security'] });
