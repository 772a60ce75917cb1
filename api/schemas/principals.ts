import { z } from 'zod';
import { DEPARTMENTS } from '../../domain/types';
import { ROLE_NAMES } from '../roles';
import { id, isoTimestamp, singleLine } from './common';

export const role = z.enum(ROLE_NAMES);

export const createPrincipalBody = z.strictObject({
  id,
  name: singleLine(200),
  roles: z
    .array(role)
    .min(1)
    .max(ROLE_NAMES.length)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat'),
  email: z.email('must be an e-mail address').max(254).optional().describe('where notifications for this principal go'),
});

export const principalParams = z.object({ principalId: id });

export const principalView = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  email: z.string().nullable(),
  createdAt: isoTimestamp,
  revokedAt: isoTimestamp.nullable(),
});

export const createdPrincipal = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  email: z.string().nullable(),
  createdAt: isoTimestamp,
  token: z.string().describe('the bearer token: shown only in this response, only its hash is stored'),
});

export const principalList = z.object({ items: z.array(principalView) });

export const delegationView = z
  .object({
    from: z.string().describe('the principal who is away'),
    fromName: z.string().describe("the away principal's name"),
    to: z.string().describe('the delegate'),
    toName: z.string().describe("the delegate's name"),
    until: isoTimestamp,
    departments: z.array(z.enum(DEPARTMENTS)).describe("the delegator's departments the delegate acts for"),
  })
  .meta({ id: 'Delegation' });

/** GET /v1/me: who the caller is, as the console shows it. */
export const meView = z
  .object({
    id: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    departments: z.array(z.enum(DEPARTMENTS)).describe('the departments whose steps the caller decides (from its approver:<department> roles)'),
    delegations: z
      .array(delegationView)
      .describe("active delegations to and from the caller: a delegate sees and decides the delegator's departments' steps"),
  })
  .meta({ id: 'Me' });

export const delegationBody = z.strictObject({
  to: id.describe('the colleague who acts for you (an active approver)'),
  until: z.iso.datetime({ offset: true, error: 'must be an ISO date-time, e.g. 2027-01-15T18:00:00+08:00' }),
});

export const colleaguesQuery = z.object({
  department: z.enum(DEPARTMENTS).optional().describe("one of your departments (management: any); default all of yours"),
});

/** GET /v1/me/colleagues: whom a step can be handed to, or whom to name as a delegate. */
export const colleagueList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        departments: z.array(z.enum(DEPARTMENTS)).describe('the departments asked about that this colleague decides for'),
      }),
    ),
  })
  .meta({ id: 'Colleagues' });
