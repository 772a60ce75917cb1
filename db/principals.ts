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

/** The id of the built-in admin, whose token ADMIN_TOKEN (or DATA_DIR/admin-token) governs. */
export const BUILT_IN_ADMIN_ID = 'admin';

export class PrincipalExistsError extends Error {}

/**
 * Stores a new principal and returns it with its token (the only time the token is visible).
 * An id is issued once: a revoked id is refused too, because audit entries, decisions and order ownership name
 * principals by id, and a new holder of an old id would read the old holder's orders and blur their trail.
 */
export function createPrincipal(
  db: Db,
  input: { id: string; name: string; roles: string[]; email?: string | null; token?: string },
  now: Date = new Date(),
): Principal & { email: string | null; token: string } {
  const token = input.token ?? generateToken();
  const createdAt = now.toISOString();
  return writeTx(db, (tx) => {
    const existing = tx.select({ revokedAt: principals.revokedAt }).from(principals).where(eq(principals.id, input.id)).get();
    if (existing?.revokedAt) {
      throw new PrincipalExistsError(
        `principal ${input.id} was revoked on ${existing.revokedAt}; a revoked id is never issued again (its audit trail ` +
          'and orders stay its own): choose another id',
      );
    }
    if (existing) throw new PrincipalExistsError(`principal ${input.id} already exists`);
    if (input.id === BUILT_IN_ADMIN_ID) {
      throw new PrincipalExistsError(`the id ${BUILT_IN_ADMIN_ID} is reserved for the built-in admin (ADMIN_TOKEN)`);
    }
    tx.insert(principals)
      .values({ id: input.id, name: input.name, roles: input.roles, email: input.email ?? null, tokenHash: hashToken(token), createdAt })
      .run();
    return { id: input.id, name: input.name, roles: input.roles, email: input.email ?? null, createdAt, token };
  });
}

/** The active principal a bearer token belongs to, or undefined. */
export function findPrincipalByToken(db: Db, token: string): Principal | undefined {
  return findPrincipalByHash(db, hashToken(token));
}

function findPrincipalByHash(db: Db, hash: string): Principal | undefined {
  const byHash = prepared(db, 'principalByTokenHash', () =>
    db
      .select({ id: principals.id, name: principals.name, roles: principals.roles, createdAt: principals.createdAt })
      .from(principals)
      .where(and(eq(principals.tokenHash, sql.placeholder('hash')), isNull(principals.revokedAt)))
      .prepare(),
  );
  return byHash.get({ hash });
}

/** The principals' generation (migration 0009: triggers raise it with every change to `principals`). */
export function principalsGenerationOf(db: Db): number {
  const stmt = prepared(db, 'principalsGeneration', () =>
    db.$client.prepare('SELECT generation FROM principals_generation WHERE id = 1').pluck(),
  );
  return (stmt.get() as number | undefined) ?? -1;
}

export interface PrincipalCache {
  /** The active principal of a bearer token, or undefined; as findPrincipalByToken, from the cache when it can. */
  find(token: string): Principal | undefined;
}

/**
 * token → principal for one API process. Every lookup first reads the principals' generation (one row by primary
 * key); when it moved — a revocation, a rotation, a new principal, in this process or another on the same file, or
 * by hand in SQL — the cache is emptied, so a revoked token is refused on the very next request everywhere.
 * The generation is read before the principal row, so an entry is never older than the generation it is kept under.
 * Unknown tokens are not cached (they hit the database, and the failed-authentication budget). Keyed by the
 * token's hash, like the table: raw tokens are not kept in memory beyond their request.
 */
export function createPrincipalCache(db: Db, max = 10_000): PrincipalCache {
  let generation = Number.NaN;
  const byHash = new Map<string, Principal>();
  return {
    find(token) {
      const now = principalsGenerationOf(db);
      if (now !== generation) {
        byHash.clear();
        generation = now;
      }
      const hash = hashToken(token);
      // No generation row (deleted by hand): nothing would ever move it, so nothing can be cached safely.
      if (now < 0) return findPrincipalByHash(db, hash);
      const hit = byHash.get(hash);
      if (hit) return hit;
      const found = findPrincipalByHash(db, hash);
      if (!found) return undefined;
      if (byHash.size >= max) byHash.delete(byHash.keys().next().value!);
      const principal = Object.freeze({ ...found, roles: Object.freeze([...found.roles]) as string[] });
      byHash.set(hash, principal);
      return principal;
    },
  };
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

export type EnsureAdminResult = 'created' | 'unchanged' | 'rotated' | 'revoked';

/**
 * Makes sure the built-in admin exists with the given token (ADMIN_TOKEN or the generated one), at every start.
 * Another token rotates the credential in place: the same principal, its createdAt and trail kept, the old
 * token dead. An admin row revoked in the database is never brought back (the API refuses to revoke it, so only
 * a deliberate act could have done that); the start goes on, and the caller warns.
 */
export function ensureAdmin(db: Db, token: string, now: Date = new Date()): EnsureAdminResult {
  const hash = hashToken(token);
  return writeTx(db, (tx): EnsureAdminResult => {
    const row = tx.select().from(principals).where(eq(principals.id, BUILT_IN_ADMIN_ID)).get();
    if (!row) {
      tx.insert(principals)
        .values({ id: BUILT_IN_ADMIN_ID, name: 'Administrator', roles: ['admin'], tokenHash: hash, createdAt: now.toISOString() })
        .run();
      return 'created';
    }
    if (row.revokedAt !== null) return 'revoked';
    if (row.tokenHash === hash) return 'unchanged';
    tx.update(principals).set({ tokenHash: hash }).where(eq(principals.id, BUILT_IN_ADMIN_ID)).run();
    return 'rotated';
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
