/** Principals: the token is shown once, only its hash is stored, and a revoked token stops working. */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../db/principals';
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

  it('409 for an existing id; a revoked id may be issued again with a new token', async () => {
    const body = { id: 'bob', name: 'Bob', roles: ['integrator'] };
    const first = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: body });
    expect(first.statusCode).toBe(201);
    const again = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: body });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.json().detail).toMatch(/bob/);

    await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/bob', headers: admin() });
    const reissued = await env.ctx.app.inject({ method: 'POST', url: '/v1/principals', headers: admin(), payload: body });
    expect(reissued.statusCode).toBe(201);
    expect(reissued.json().token).not.toBe(first.json().token);
    const old = await env.ctx.app.inject({ method: 'GET', url: '/v1/orders', headers: { authorization: `Bearer ${first.json().token}` } });
    expect(old.statusCode).toBe(401);
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
