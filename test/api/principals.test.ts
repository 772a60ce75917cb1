/** Principals: the token is shown once, only its hash is stored, and a revoked token stops working. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { createPrincipal, ensureAdmin, findPrincipalByToken, hashToken, revokePrincipal } from '../../db/principals';
import { principals } from '../../db/schema';
import { useTestApp } from '../helpers/app';

describe('principals', () => {
  const env = useTestApp();

  const admin = () => env.ctx.auth('admin');

  it('creates, lists without tokens, and revokes a principal', async () => {
    const created = await env.ctx.app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: admin(),
      payload: { id: 'alice', name: 'Alice', roles: ['approver:finance'], email: 'alice@example.com' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { token, ...rest } = created.json();
    expect(rest).toMatchObject({ id: 'alice', name: 'Alice', roles: ['approver:finance'], email: 'alice@example.com' });
    expect(typeof token).toBe('string');
    expect(token.length).toBeGreaterThanOrEqual(32);

    // Only the hash is stored, never the token.
    const row = env.ctx.db.select().from(principals).where(eq(principals.id, 'alice')).get()!;
    expect(row.tokenHash).toBe(hashToken(token));
    expect(row.tokenHash).not.toBe(token);
    expect(JSON.stringify(row)).not.toContain(token);

    // The new token works for what its role allows.
    const inbox = await env.ctx.app.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${token}` } });
    expect(inbox.statusCode).toBe(200);

    const list = await env.ctx.app.inject({ method: 'GET', url: '/v1/principals', headers: admin() });
    expect(list.statusCode).toBe(200);
    const alice = list.json().items.find((p: { id: string }) => p.id === 'alice');
    expect(alice).toEqual({
      id: 'alice', name: 'Alice', roles: ['approver:finance'], email: 'alice@example.com', createdAt: expect.any(String), revokedAt: null,
    });
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain('tokenHash');

    const revoked = await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/alice', headers: admin() });
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');

    const after = await env.ctx.app.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.headers['www-authenticate']).toContain('invalid_token');

    const listed = (await env.ctx.app.inject({ method: 'GET', url: '/v1/principals', headers: admin() })).json();
    expect(listed.items.find((p: { id: string }) => p.id === 'alice').revokedAt).toEqual(expect.any(String));

    // Revoking again: nothing active to revoke.
    expect((await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/alice', headers: admin() })).statusCode).toBe(404);
  });

  it('409 for an existing id, and for a revoked one: a revoked id is never issued again, its record stays', async () => {
    const body = { id: 'bob', name: 'Bob', roles: ['integrator'] };
    const first = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: body });
    expect(first.statusCode).toBe(201);
    const again = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: body });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json().detail).toMatch(/bob/);

    expect((await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/bob', headers: admin() })).statusCode).toBe(204);
    const before = env.ctx.db.select().from(principals).where(eq(principals.id, 'bob')).get()!;
    expect(before.revokedAt).toEqual(expect.any(String));

    const reissued = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: { ...body, name: 'Another Bob' } });
    expect(reissued.statusCode, reissued.body).toBe(409);
    expect(reissued.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(reissued.json()).toMatchObject({ type: 'urn:order-review:problem:conflict', detail: expect.stringMatching(/bob was revoked .*choose another id/) });
    expect(reissued.body).not.toContain('token"');

    // The revocation record is untouched: same row, same (dead) token hash, same revocation time.
    expect(env.ctx.db.select().from(principals).where(eq(principals.id, 'bob')).get()).toEqual(before);
    expect(before.tokenHash).toBe(hashToken(first.json().token));
    const old = await env.ctx.app.inject({ method: 'GET', url: '/v1/orders', headers: { authorization: `Bearer ${first.json().token}` } });
    expect(old.statusCode).toBe(401);
  });

  it('reserves the id of the built-in admin, which only ADMIN_TOKEN governs', async () => {
    const created = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: { id: 'admin', name: 'X', roles: ['admin'] } });
    expect(created.statusCode).toBe(409);
    // Another admin cannot revoke it either: rotating ADMIN_TOKEN is how its credential changes.
    const other = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: { id: 'root2', name: 'Root 2', roles: ['admin'] } });
    expect(other.statusCode).toBe(201);
    const revoke = await env.ctx.app.inject({
      method: 'DELETE',
      url: '/v1/principals/admin',
      headers: { authorization: `Bearer ${other.json().token}` },
    });
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json().detail).toMatch(/ADMIN_TOKEN/);
    expect((await env.ctx.app.inject({ method: 'GET', url: '/v1/principals', headers: admin() })).statusCode).toBe(200);
  });

  it('400 for unknown roles, repeated roles, bad ids and unknown keys', async () => {
    const bad = [
      { id: 'x1', name: 'X', roles: ['approver:marketing'] },
      { id: 'x2', name: 'X', roles: ['integrator', 'integrator'] },
      { id: 'x3', name: 'X', roles: [] },
      { id: 'not ok', name: 'X', roles: ['auditor'] },
      { id: 'x4', name: 'X', roles: ['auditor'], token: 'chosen-by-client' },
    ];
    for (const payload of bad) {
      const res = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('GET /v1/me: who the caller is, with its departments', async () => {
    const me = (id: Parameters<typeof env.ctx.auth>[0]) => env.ctx.app.inject({ method: 'GET', url: '/v1/me', headers: env.ctx.auth(id) });
    const finance = await me('finance');
    expect(finance.statusCode, finance.body).toBe(200);
    expect(finance.json()).toStrictEqual({ id: 'finance', name: expect.any(String), roles: ['approver:finance'], departments: ['finance'], delegations: [] });
    expect((await me('auditor')).json()).toMatchObject({ id: 'auditor', roles: ['auditor'], departments: [] });
    expect((await me('shop')).json()).toMatchObject({ id: 'shop', roles: ['integrator'], departments: [] });
    // Never anything secret.
    expect(Object.keys(finance.json()).sort()).toEqual(['delegations', 'departments', 'id', 'name', 'roles']);
  });

  it('refuses to let a principal revoke itself', async () => {
    const res = await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/admin', headers: admin() });
    expect(res.statusCode).toBe(409);
    expect((await env.ctx.app.inject({ method: 'GET', url: '/v1/principals', headers: admin() })).statusCode).toBe(200);
  });
});

describe('the built-in admin across restarts (ensureAdmin)', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-review-admin-'));
    db = openDatabase(path.join(dir, 'app.db'));
  });
  afterEach(() => {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const row = () => db.select().from(principals).where(eq(principals.id, 'admin')).get();
  const TOKEN_A = 'admin-token-a-0123456789abcdef';
  const TOKEN_B = 'admin-token-b-0123456789abcdef';

  it('creates the admin on the first start and changes nothing on a restart with the same token', () => {
    expect(ensureAdmin(db, TOKEN_A, new Date('2026-01-01T00:00:00Z'))).toBe('created');
    const first = row()!;
    expect(findPrincipalByToken(db, TOKEN_A)).toMatchObject({ id: 'admin', roles: ['admin'] });
    expect(ensureAdmin(db, TOKEN_A, new Date('2026-02-01T00:00:00Z'))).toBe('unchanged');
    expect(row()).toEqual(first);
  });

  it('rotates the token in place on a restart with another one: the old token stops working, the record stays', () => {
    ensureAdmin(db, TOKEN_A, new Date('2026-01-01T00:00:00Z'));
    expect(ensureAdmin(db, TOKEN_B, new Date('2026-02-01T00:00:00Z'))).toBe('rotated');
    expect(findPrincipalByToken(db, TOKEN_A)).toBeUndefined();
    expect(findPrincipalByToken(db, TOKEN_B)).toMatchObject({ id: 'admin' });
    expect(row()).toMatchObject({ createdAt: '2026-01-01T00:00:00.000Z', revokedAt: null, tokenHash: hashToken(TOKEN_B) });
    expect(db.select().from(principals).all()).toHaveLength(1);
  });

  it('never brings back an admin revoked in the database; other principals are untouched', () => {
    ensureAdmin(db, TOKEN_A);
    createPrincipal(db, { id: 'alice', name: 'Alice', roles: ['auditor'], token: 'alice-token-0123456789abcdef' });
    revokePrincipal(db, 'admin', new Date('2026-03-01T00:00:00Z'));
    expect(ensureAdmin(db, TOKEN_A)).toBe('revoked');
    expect(ensureAdmin(db, TOKEN_B)).toBe('revoked');
    expect(findPrincipalByToken(db, TOKEN_A)).toBeUndefined();
    expect(findPrincipalByToken(db, TOKEN_B)).toBeUndefined();
    expect(row()).toMatchObject({ revokedAt: '2026-03-01T00:00:00.000Z', tokenHash: hashToken(TOKEN_A) });
    expect(findPrincipalByToken(db, 'alice-token-0123456789abcdef')).toMatchObject({ id: 'alice' });
  });
});
