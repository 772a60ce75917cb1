/**
 * Principals and their bearer tokens. Tokens are 256 random bits, shown once; only their sha256 is stored.
 * A plain hash (no salt, no KDF) is enough here because the secret is random, not a human password.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Db, prepared, writeTx } from './client';
import { principals } from './schema';

export interface Principal {
  id: string;
  name: string;
  roles: string[];
  createdAt: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateToken(): string {
  return `ort_${randomBytes(32).toString('base64url')}`;
}

export class PrincipalExistsError extends Error {}

/** Stores a new principal and returns it with its token (the only time the token is visible). */
export function createPrincipal(
  db: Db,
  input: { id: string; name: string; roles: string[]; email?: string | null; token?: string },
  now: Date = new Date(),
): Principal & { email: string | null; token: string } {
  const token = input.token ?? generateToken();
  const createdAt = now.toISOString();
  return writeTx(db, (tx) => {
    const existing = tx.select({ revokedAt: principals.revokedAt }).from(principals).where(eq(principals.id, input.id)).get();
    if (existing && existing.revokedAt === null) throw new PrincipalExistsError(`principal ${input.id} exists`);
    // A revoked id may be issued again: the old row (and its token hash) is replaced.
    tx.delete(principals).where(eq(principals.id, input.id)).run();
    tx.insert(principals)
      .values({ id: input.id, name: input.name, roles: input.roles, email: input.email ?? null, tokenHash: hashToken(token), createdAt })
      .run();
    return { id: input.id, name: input.name, roles: input.roles, email: input.email ?? null, createdAt, token };
  });
}

/** The active principal a bearer token belongs to, or undefined. */
export function findPrincipalByToken(db: Db, token: string): Principal | undefined {
  const byHash = prepared(db, 'principalByTokenHash', () =>
    db
      .select({ id: principals.id, name: principals.name, roles: principals.roles, createdAt: principals.createdAt })
      .from(principals)
      .where(and(eq(principals.tokenHash, sql.placeholder('hash')), isNull(principals.revokedAt)))
      .prepare(),
  );
  return byHash.get({ hash: hashToken(token) });
}

export function listPrincipals(db: Db): (Principal & { email: string | null; revokedAt: string | null })[] {
  return db
    .select({
      id: principals.id,
      name: principals.name,
      roles: principals.roles,
      email: principals.email,
      createdAt: principals.createdAt,
      revokedAt: principals.revokedAt,
    })
    .from(principals)
    .orderBy(principals.id)
    .all();
}

/** Revokes a principal; returns false when there is no active principal with that id. */
export function revokePrincipal(db: Db, id: string, now: Date = new Date()): boolean {
  const res = db
    .update(principals)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(principals.id, id), isNull(principals.revokedAt)))
    .run();
  return res.changes > 0;
}

/** Makes sure the built-in admin exists with the given token (ADMIN_TOKEN or the generated one). */
export function ensureAdmin(db: Db, token: string): void {
  const hash = hashToken(token);
  writeTx(db, (tx) => {
    const row = tx.select().from(principals).where(eq(principals.id, 'admin')).get();
    if (row && row.tokenHash === hash && row.revokedAt === null) return;
    tx.delete(principals).where(eq(principals.id, 'admin')).run();
    tx.insert(principals)
      .values({ id: 'admin', name: 'Administrator', roles: ['admin'], tokenHash: hash, createdAt: new Date().toISOString() })
      .run();
  });
}

/** The active principal with this id, or undefined (revoked principals are not found). */
export function findPrincipalById(db: Db, id: string): Principal | undefined {
  return db
    .select({ id: principals.id, name: principals.name, roles: principals.roles, createdAt: principals.createdAt })
    .from(principals)
    .where(and(eq(principals.id, id), isNull(principals.revokedAt)))
    .get();
}
