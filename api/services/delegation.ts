/**
 * Delegation while away (contract section 12): an approver names a colleague who, until a time, sees and decides
 * the steps of the approver's departments. The decision records both (by: the delegate, onBehalfOf: the delegator);
 * segregation of duties binds the person who decides. Only one's own departments can be delegated (no chains).
 */
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { type Db, prepared } from '../../db/client';
import type { Principal } from '../../db/principals';
import { delegations, principals } from '../../db/schema';
import type { Department } from '../../domain/types';
import type { Actor } from '../../workflows/messages';
import { problems } from '../problem';
import { departmentsOf } from '../roles';

export interface DelegationView {
  from: string;
  fromName: string;
  to: string;
  toName: string;
  until: string;
  departments: Department[];
}

/** Active principals' roles (and names) by id. */
function activePrincipals(db: Db, ids: string[]): Map<string, { roles: string[]; name: string }> {
  if (ids.length === 0) return new Map();
  const rows = db
    .select({ id: principals.id, roles: principals.roles, name: principals.name })
    .from(principals)
    .where(and(inArray(principals.id, ids), isNull(principals.revokedAt)))
    .all();
  return new Map(rows.map((r) => [r.id, { roles: r.roles, name: r.name }]));
}

/** The delegations to and from `principalId` that are in force now (both parties still active). */
export function delegationsOf(db: Db, principalId: string, now = new Date()): DelegationView[] {
  const at = now.toISOString();
  const rows = db
    .select()
    .from(delegations)
    .where(and(gt(delegations.until, at)))
    .all()
    .filter((d) => d.fromId === principalId || d.toId === principalId);
  const people = activePrincipals(db, [...new Set(rows.flatMap((d) => [d.fromId, d.toId]))]);
  return rows.flatMap((d) => {
    const [from, to] = [people.get(d.fromId), people.get(d.toId)];
    if (!from || !to) return [];
    return [{ from: d.fromId, fromName: from.name, to: d.toId, toName: to.name, until: d.until, departments: departmentsOf(from) }];
  });
}

/**
 * Who acts: the principal with its own departments plus those delegated to it now, and for each delegated department
 * the delegator it acts for. Every approver request asks this (the inbox, a decision), so it is one prepared query:
 * the delegations to the principal in force now whose delegator is still active (the caller is: it just
 * authenticated), in the table's order, as delegationsOf lists them.
 */
export function effectiveActor(db: Db, principal: Principal, now = new Date()): { actor: Actor; onBehalfOf: Map<Department, string> } {
  const own = departmentsOf(principal);
  const onBehalfOf = new Map<Department, string>();
  const delegators = prepared(db, 'delegationsTo', () =>
    db
      .select({ from: delegations.fromId, roles: principals.roles })
      .from(delegations)
      .innerJoin(principals, and(eq(principals.id, delegations.fromId), isNull(principals.revokedAt)))
      .where(and(eq(delegations.toId, sql.placeholder('to')), gt(delegations.until, sql.placeholder('at'))))
      .orderBy(sql`${delegations}.rowid`)
      .prepare(),
  ).all({ to: principal.id, at: now.toISOString() });
  for (const d of delegators) {
    for (const dept of departmentsOf({ roles: d.roles })) if (!own.includes(dept) && !onBehalfOf.has(dept)) onBehalfOf.set(dept, d.from);
  }
  return { actor: { id: principal.id, departments: [...own, ...onBehalfOf.keys()] }, onBehalfOf };
}

export function setDelegation(db: Db, principal: Principal, body: { to: string; until: string }, now = new Date()): DelegationView {
  if (departmentsOf(principal).length === 0) throw problems.forbidden('only approvers have departments to delegate');
  if (body.to === principal.id) throw problems.badRequest('you cannot delegate to yourself', [{ path: 'to', message: 'names yourself' }]);
  const until = new Date(body.until);
  if (until.getTime() <= now.getTime()) throw problems.badRequest('the delegation must end in the future', [{ path: 'until', message: 'is not in the future' }]);
  if (until.getTime() > now.getTime() + 366 * 86_400_000) {
    throw problems.badRequest('a delegation lasts at most a year', [{ path: 'until', message: 'is more than a year away' }]);
  }
  const delegate = activePrincipals(db, [body.to]).get(body.to);
  if (!delegate || departmentsOf(delegate).length === 0) {
    throw problems.unprocessable('the delegate must be an active approver', [{ path: 'to', message: `no active approver ${body.to}` }]);
  }
  const values = { toId: body.to, until: until.toISOString(), createdAt: now.toISOString() };
  db.insert(delegations).values({ fromId: principal.id, ...values }).onConflictDoUpdate({ target: delegations.fromId, set: values }).run();
  return { from: principal.id, fromName: principal.name, to: body.to, toName: delegate.name, until: values.until, departments: departmentsOf(principal) };
}

/** Ends the caller's delegation; false when it had none in force. */
export function endDelegation(db: Db, principal: Principal, now = new Date()): boolean {
  const res = db.delete(delegations).where(and(eq(delegations.fromId, principal.id), gt(delegations.until, now.toISOString()))).run();
  return res.changes > 0;
}
