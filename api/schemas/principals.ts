import { z } from 'zod';
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
});

export const principalParams = z.object({ principalId: id });

export const principalView = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  createdAt: isoTimestamp,
  revokedAt: isoTimestamp.nullable(),
});

export const createdPrincipal = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  createdAt: isoTimestamp,
  token: z.string().describe('the bearer token: shown only in this response, only its hash is stored'),
});

export const principalList = z.object({ items: z.array(principalView) });
