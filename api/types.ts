/**
 * What the API adds to Fastify's types: the shared resources plugins decorate, the authenticated principal,
 * and the roles each route declares.
 */
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import type { Principal } from '../db/principals';
import type { ResolvedPolicy } from '../domain/types';
import type { RelayWaker } from '../activities/relay-waker';
import type { SecretBox } from '../db/secrets';

/**
 * A role a route may allow. `approver` means any `approver:<department>` role; `approver:management` only
 * management's (the KPIs show every department's figures).
 */
export type RouteRole = 'integrator' | 'approver' | 'approver:management' | 'auditor' | 'admin' | 'erp';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    temporal: Client;
    /** The review policy captured by orders submitted now. */
    policy: ResolvedPolicy;
    appConfig: AppConfig;
    /** Seals webhook secrets and tracking tokens. */
    secrets: SecretBox;
    /** What the Temporal namespace offers, found out when the app gets ready. */
    temporalFeatures: { searchAttributes: boolean };
    /** Wakes the event relays after the API logged events; undefined when relays are off (most tests). */
    relayWaker: RelayWaker | undefined;
  }
  interface FastifyRequest {
    /** Set by the auth plugin on every route that declares roles; null elsewhere. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route. Every /v1 route must declare it (checked when routes are registered). */
    roles?: readonly RouteRole[];
    /** A /v1 route anyone may call (the tracking page's JSON, whose token is the credential). */
    public?: true;
  }
}
