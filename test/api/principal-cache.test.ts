/**
 * The API caches token → principal per process; a principal change anywhere on the same database file empties
 * every process's cache before its next request (db/principals.ts, createPrincipalCache). Two app instances on
 * one file stand for the two API processes of the cluster suite.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { loadReviewPolicy } from '../../config';
import { closeDatabase, type Db, openDatabase } from '../../db/client';
import { useTestApp } from '../helpers/app';

describe('principal cache', () => {
  const env = useTestApp();
  let second: FastifyInstance;
  let secondDb: Db;

  beforeAll(async () => {
    // Its own connection to the same file, as a second process would have.
    secondDb = openDatabase(env.ctx.config.dbFile);
    second = await buildApp({
      config: env.ctx.config,
      db: secondDb,
      temporal: env.t.client,
      policy: loadReviewPolicy(env.ctx.config),
      sweeper: false,
      archiver: false,
    });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    if (secondDb) closeDatabase(secondDb);
  });

  const inbox = (app: FastifyInstance, token: string) =>
    app.inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${token}` } }).then((r) => r.statusCode);

  async function newPrincipal(id: string): Promise<string> {
    const res = await env.ctx.app.inject({
      method: 'POST',
      url: '/v1/principals',
      headers: env.ctx.auth('admin'),
      payload: { id, name: id, roles: ['approver:finance'] },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().token as string;
  }

  it('refuses a revoked token on the very next request, in the app that revoked it and in another on the same file', async () => {
    const token = await newPrincipal('cached-bob');
    // Both caches hold the principal now (answered twice each).
    for (let i = 0; i < 2; i++) {
      expect(await inbox(env.ctx.app, token)).toBe(200);
      expect(await inbox(second, token)).toBe(200);
    }
    const revoked = await env.ctx.app.inject({ method: 'DELETE', url: '/v1/principals/cached-bob', headers: env.ctx.auth('admin') });
    expect(revoked.statusCode).toBe(204);
    expect(await inbox(second, token)).toBe(401);
    expect(await inbox(env.ctx.app, token)).toBe(401);
  });

  it('sees a change made by hand in SQL on another connection (roles taken away) at once', async () => {
    const token = await newPrincipal('cached-carol');
    expect(await inbox(second, token)).toBe(200);
    expect(await inbox(second, token)).toBe(200);
    env.ctx.db.$client.prepare(`UPDATE principals SET roles = '["auditor"]' WHERE id = 'cached-carol'`).run();
    expect(await inbox(second, token)).toBe(403);
  });

  it('caches nothing while the generation row is gone (deleted by hand): a revocation is still seen at once', async () => {
    const token = await newPrincipal('cached-dave');
    const generation = env.ctx.db.$client.prepare('SELECT generation FROM principals_generation WHERE id = 1').pluck().get();
    env.ctx.db.$client.prepare('DELETE FROM principals_generation').run();
    try {
      expect(await inbox(second, token)).toBe(200);
      expect(await inbox(second, token)).toBe(200);
      env.ctx.db.$client.prepare(`UPDATE principals SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE id = 'cached-dave'`).run();
      expect(await inbox(second, token)).toBe(401);
    } finally {
      env.ctx.db.$client.prepare('INSERT OR REPLACE INTO principals_generation (id, generation) VALUES (1, ?)').run(Number(generation) + 1);
    }
  });
});
