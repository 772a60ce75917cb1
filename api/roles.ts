/** Roles as principals carry them (`approver:finance`) and as routes declare them (`approver`). */
import type { Principal } from '../db/principals';
import { DEPARTMENTS, type Department } from '../domain/types';
import type { Actor } from '../workflows/messages';
import type { RouteRole } from './types';

export const ROLE_NAMES = ['integrator', 'auditor', 'admin', 'erp', ...DEPARTMENTS.map((d) => `approver:${d}` as const)] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export function departmentsOf(principal: Pick<Principal, 'roles'>): Department[] {
  return DEPARTMENTS.filter((d) => principal.roles.includes(`approver:${d}`));
}

export function hasRole(principal: Pick<Principal, 'roles'>, role: RouteRole): boolean {
  if (role === 'approver') return departmentsOf(principal).length > 0;
  return principal.roles.includes(role);
}

export function hasAnyRole(principal: Pick<Principal, 'roles'>, roles: readonly RouteRole[]): boolean {
  return roles.some((r) => hasRole(principal, r));
}

/**
 * Whether the principal may see every order, or only the ones it submitted. An integrator is a partner's
 * channel: it must never read another integrator's orders, so a principal that is only an integrator is scoped.
 */
export function seesAllOrders(principal: Pick<Principal, 'roles'>): boolean {
  return hasAnyRole(principal, ['approver', 'auditor', 'admin', 'erp']);
}

export function actorOf(principal: Principal): Actor {
  return { id: principal.id, departments: departmentsOf(principal) };
}

/**
 * Who may change master data: the company's own systems and admins. Integrators could until v1.1; a partner channel
 * could then raise its own customer's credit limit and get its order approved (the contract's one breaking change).
 */
export const MASTER_DATA_WRITERS = ['erp', 'admin'] as const satisfies readonly RouteRole[];
/** Who may read master data: everyone whose work depends on it. */
export const MASTER_DATA_READERS = ['admin', 'erp', 'integrator', 'approver', 'auditor'] as const satisfies readonly RouteRole[];
/** What every master-data PUT says about its roles in the OpenAPI description. */
export const MASTER_DATA_WRITE_NOTE =
  'Requires the `erp` or `admin` role. **Breaking change in v1.1:** integrators may no longer write master data (403); ' +
  'they, approvers and auditors may still read it. A write that changes something keeps a version (who, when, what ' +
  'changed: `GET …/versions`); a write that changes nothing answers the record as it is and keeps no version.';
