/**
 * Colleagues (contract section 12): the active approvers who share a department with the caller, so the console can
 * offer whom a step may be handed to (`POST …/assign`) and whom to name as a delegate. Scoped: an approver sees only
 * the people of its own departments (and of those delegated to it now); management, which hands over escalated steps
 * of every department, may ask for any department. Nobody sees another's roles outside those departments or a token.
 */
import type { Db } from '../../db/client';
import { listPrincipals, type Principal } from '../../db/principals';
import type { Department } from '../../domain/types';
import { problems } from '../problem';
import { departmentsOf } from '../roles';
import { effectiveActor } from './delegation';

export interface Colleague {
  id: string;
  name: string;
  /** The departments this colleague decides for, of those asked about. */
  departments: Department[];
}

/** The caller's colleagues in `department`, or in any of the caller's departments; the caller itself left out. */
export function colleaguesOf(db: Db, principal: Principal, department?: Department): Colleague[] {
  const mine = effectiveActor(db, principal).actor.departments;
  // `mine` holds delegated departments too: a delegate of a management approver hands over escalated steps as well.
  if (department && !mine.includes(department) && !mine.includes('management')) {
    throw problems.forbidden(`you are not an approver of ${department}`);
  }
  const scope = department ? [department] : mine;
  return listPrincipals(db)
    .filter((p) => p.revokedAt === null && p.id !== principal.id)
    .map((p) => ({ id: p.id, name: p.name, departments: departmentsOf(p).filter((d) => scope.includes(d)) }))
    .filter((c) => c.departments.length > 0);
}
